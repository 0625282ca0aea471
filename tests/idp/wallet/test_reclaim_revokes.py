"""A reclaim ends what the impostor obtained in the victim's name (impostor review): the
documents agencies issued to the frozen account, the PDFs it signed as a citizen and the wallet
credentials of those documents are revoked ("identity_reclaimed") in the transaction that
freezes it, by both methods; verifiers (by code, by upload, the status list) are told, and the
operator's trail counts them. The claimant's new account is untouched."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from idp.wallet import status_list
from infra.db import get_db
from tests.idp.documents.conftest import agency_token
from tests.idp.oidc.conftest import bearer
from tests.idp.wallet.conftest import issue, new_offer
from tests.idp.wallet.test_status_list import held_configuration

REASON = "identity_reclaimed"


def _citizen_signed(app, citizen_id: str, client_id: str) -> str:
    """A PDF the impostor signed as a citizen (its row: signing one needs a passkey approval)."""
    from signing.models import Document

    document_id = uuid.uuid4().hex[:26]
    with get_db(app).transaction() as session:
        session.add(Document(id=document_id, csv="CSV-" + uuid.uuid4().hex[:16], sha256="0" * 64,
                             size=1, kind="citizen-signed", template=None, client_id=client_id,
                             subject=citizen_id, language="es", title="contrato",
                             file_name="contrato.pdf", issued_at=datetime.now(UTC), level="B-LT",
                             signer_serial="1", status="valid"))
    return document_id


def _reclaim(app, national_id: str, method: str):
    from idp import audit
    from idp.assurance.reclaim import reclaim
    from idp.citizens.enrolment import EnrolmentData
    from idp.consent.consents import get_consents
    from idp.registrar.services import Actor
    from infra.secrets import get_secrets
    from keys import get_service

    data = EnrolmentData(given_name="Ana María", family_name="López Pérez",
                         birthdate=date(1990, 5, 17), national_id_scheme="sv-dui",
                         national_id=national_id, email="ana.real@example.sv")
    with app.test_request_context():
        consents = get_consents()
        audit.prepare()
        with get_db(app).transaction() as session:
            return reclaim(session, data=data, method=method, source="test", detail="email a•••",
                           actor=Actor.operator("test"), policy=consents.policy,
                           sign=consents.sign, grants=consents.grants,
                           key_service=get_service(app),
                           key=get_secrets(app).key("reclaim"), language="es",
                           now=datetime.now(UTC))


def _bit(web, reference) -> int:
    from urllib.parse import urlsplit

    token = web.get(urlsplit(reference["uri"]).path).get_data(as_text=True)
    claims = json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[1] + "=="))
    return status_list.decode_status(claims["status_list"]["lst"], reference["idx"])


@pytest.mark.parametrize("method", ["register_channel", "in_person"])
def test_a_reclaim_revokes_documents_signatures_and_wallet_credentials_of_the_frozen_account(
        web, docs_app, agency, signed_in, holder, method):
    from idp.assurance.models import IdentityProofing
    from idp.registrar.models import RegistrarAuditEntry
    from signing.models import Document

    impostor, sub = signed_in
    token = agency_token(web, agency)
    birth = issue(web, token, subject=sub)
    residence = issue(web, token, template="residence", subject=sub)
    signed = _citizen_signed(docs_app, impostor.citizen_id, agency.client_id)
    link, tx_code = new_offer(web, birth["id"])
    held = holder.receive(link, tx_code)
    reference = held.payload["status"]["status_list"]
    assert _bit(web, reference) == status_list.VALID
    pdf = web.get(f"/api/documents/{residence['id']}/pdf", headers=bearer(token)).data
    if method == "register_channel":  # a register code takes an ID only from a low account
        with get_db(docs_app).transaction() as session:
            session.execute(sa.delete(IdentityProofing)
                            .where(IdentityProofing.citizen_id == uuid.UUID(impostor.citizen_id)))

    done = _reclaim(docs_app, impostor.national_id, method)
    assert done.frozen_id == impostor.citizen_id

    with get_db(docs_app).read() as session:
        rows = {d.id: d for d in session.scalars(
            sa.select(Document).where(Document.subject == impostor.citizen_id))}
        frozen = session.scalars(sa.select(RegistrarAuditEntry).where(
            RegistrarAuditEntry.action == "identity.frozen")).one()
        assert session.scalar(sa.select(sa.func.count()).select_from(Document).where(
            Document.subject == done.citizen_id)) == 0
    assert {(i, d.status, d.revocation_reason) for i, d in rows.items()} == {
        (birth["id"], "revoked", REASON), (residence["id"], "revoked", REASON),
        (signed, "revoked", REASON)}
    assert all(d.revoked_at is not None for d in rows.values())
    assert frozen.details["documents_revoked"] == 2
    assert frozen.details["signatures_revoked"] == 1
    assert frozen.details["credentials_revoked"] == 1

    # What a verifier is told: the status list, the code, the upload; and the agency's API.
    assert _bit(web, reference) == status_list.INVALID
    by_code = web.get(f"/api/verify/{residence['csv']}").get_json()
    assert by_code["document"]["status"] == "revoked"
    assert REASON in json.dumps(by_code["document"])
    by_upload = web.post("/api/verify", data=pdf, headers={"Content-Type": "application/pdf"})
    assert by_upload.get_json()["document"]["status"] == "revoked", by_upload.get_json()
    assert web.get(f"/api/verify/{birth['csv']}").get_json()["other_forms"][0]["status"] == "revoked"
    assert web.get(f"/api/documents/{residence['id']}",
                   headers=bearer(token)).get_json()["status"] == "revoked"
    # The impostor's wallet, with a token from before the freeze, gets no credential again:
    # the freeze deleted the passkey the token's offer was made with (the token is dead), and
    # the document is revoked.
    reply = holder.request_credential(held_configuration(held), [holder.proof(nonce=holder.nonce())])
    assert (reply.status, reply.body["error"]) == (401, "invalid_token")


@pytest.mark.parametrize("legal_basis", [False, True])
def test_after_the_freeze_no_agency_issues_a_document_to_the_frozen_sub(
        web, docs_app, agency, signed_in, monkeypatch, legal_basis):
    """An agency's document API call naming the frozen account's sub is refused: its consent
    was withdrawn by the freeze, and a law the operator set for the agency does not bring the
    account back (its sub names nobody any more)."""
    from idp.consent.consents import get_consents

    impostor, sub = signed_in
    if legal_basis:
        policy = get_consents(docs_app).policy
        monkeypatch.setitem(policy.legal_bases, agency.client_id, "Ley de Residencia, art. 4")
    _reclaim(docs_app, impostor.national_id, "in_person")
    payload = {"template": "birth", "subject": sub, "data": __import__(
        "tests.signing.samples", fromlist=["SAMPLES"]).SAMPLES["birth"]}
    response = web.post("/api/documents", data=json.dumps(payload), content_type="application/json",
                        headers=bearer(agency_token(web, agency)))
    # Before: under a law the operator set for the agency (no consent needed) a new birth
    # certificate was issued, valid, to the frozen account, in the name it held.
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == "invalid_data"
    assert "subject" in response.get_json()["error_description"]


def test_a_signature_the_impostor_was_making_when_frozen_is_not_stored(web, docs_app, signed_in,
                                                                        monkeypatch):
    """An in-flight session of the impostor: the PAdES signature is made while the reclaim
    freezes the account; nothing is stored (its proofing and passkeys are gone)."""
    from tests.idp.documents.test_citizen_signing import (
        _pdf,
        _upload,
        _upload_id,
        confirm_with_change_while_signing,
    )
    from tests.idp.documents.test_prepared import _documents

    impostor, _ = signed_in
    upload = _upload_id(_upload(web, _pdf()))
    response = confirm_with_change_while_signing(
        web, monkeypatch, upload, impostor.key,
        lambda: _reclaim(docs_app, impostor.national_id, "in_person"), **{"Accept-Language": "en"})
    assert response.status_code == 403, response.get_data(as_text=True)
    assert _documents(docs_app) == 0
