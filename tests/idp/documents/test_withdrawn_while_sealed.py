"""A citizen who withdraws an agency's access while a document for it is being sealed gets no
document released to it: the consent the request was checked against is checked again, locked,
in the transaction that logs the release (`idp.documents.issuing.may_name`). Regression: the
consent was checked before sealing only, so the document (which names the citizen) and its
data-sharing log entry were written after the withdrawal had committed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from infra.db import get_db
from tests.idp.documents.conftest import agency_token
from tests.idp.oidc.conftest import bearer
from tests.signing.samples import SAMPLES


def _withdraw(app, citizen_id: str, client_id: str) -> None:
    from idp.consent import get_consents, services

    with app.app_context(), get_db(app).transaction() as db:
        consents = get_consents(app)
        services.revoke(db, policy=consents.policy, sign=consents.sign, grants=consents.grants,
                        citizen_id=citizen_id, client_id=client_id, language="es", now=datetime.now(UTC))


def _released(app, citizen_id: str, client_id: str) -> int:
    from idp.audit.models import AuditEntry

    with get_db(app).read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.citizen_ref == citizen_id, AuditEntry.client_id == client_id,
            AuditEntry.event == "document.issued"))


def _issue_withdrawn_while_sealed(web, docs_app, agency, signed_in, monkeypatch):
    """The answer to POST /api/documents when the citizen withdraws the agency's access while
    its document is being sealed."""
    from signing import issuance

    citizen, sub = signed_in
    sealing = issuance.seal

    def seal_then_withdraw(*args, **kwargs):
        sealed = sealing(*args, **kwargs)
        _withdraw(docs_app, citizen.citizen_id, agency.client_id)
        return sealed

    monkeypatch.setattr(issuance, "seal", seal_then_withdraw)
    payload = {"template": "birth", "subject": sub, "data": SAMPLES["birth"]}
    return web.post("/api/documents", data=json.dumps(payload), content_type="application/json",
                    headers=bearer(agency_token(web, agency)))


def test_a_withdrawal_while_the_document_is_sealed_releases_nothing(web, docs_app, agency, signed_in, monkeypatch):
    from signing.models import Document

    citizen, _sub = signed_in
    response = _issue_withdrawn_while_sealed(web, docs_app, agency, signed_in, monkeypatch)
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"] == "consent_required"
    with get_db(docs_app).read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Document)
                              .where(Document.subject == citizen.citizen_id)) == 0
    assert _released(docs_app, citizen.citizen_id, agency.client_id) == 0


def test_under_a_law_a_withdrawal_does_not_stop_the_document(web, docs_app, agency, signed_in, monkeypatch):
    """The legal basis the operator set for the agency does not rest on consent (`[consent]
    legal_bases`): the document is issued and its release logged under the law."""
    from idp.consent.consents import get_consents

    citizen, _sub = signed_in
    monkeypatch.setitem(get_consents(docs_app).policy.legal_bases, agency.client_id, "Ley de Residencia, art. 4")
    response = _issue_withdrawn_while_sealed(web, docs_app, agency, signed_in, monkeypatch)
    assert response.status_code == 201, response.get_json()
    assert _released(docs_app, citizen.citizen_id, agency.client_id) == 1
