"""A document an agency prepares for the citizen's signature comes back to that agency signed,
with the citizen's certificate in it: what the certificate says is released to the agency.

Before: the certificate of every proofed citizen carried the semantic identifier
"IDCSV-<national ID>" (ETSI EN 319 412-1, 5.1.3), so any agency with `documents:issue` (never
granted `national_id`, a restricted claim) learnt the national ID of every citizen who signed
what it prepared, and could join the pairwise subjects of other sectors with it, the way
closed for issued documents (tests/idp/documents/test_national_id_disclosure.py). And the
data-sharing log's `signature.made` entry named no data at all, though the agency received the
citizen's name (and that national ID) in the signed PDF."""

from __future__ import annotations

import sqlalchemy as sa

from infra.db import get_db
from tests.idp.conftest import post_json
from tests.idp.documents.conftest import agency_token, register
from tests.idp.oidc.conftest import bearer, claims_of, tokens_for
from tests.signing.validation import lta

NATIONAL_ID_AGENCY = "agencia-con-dui"


def _sign_prepared(web, agency, sub) -> tuple[str, bytes]:
    """The agency prepares a PDF, the signed-in citizen signs it: (signed id, signed PDF the
    agency downloads)."""
    from tests.idp.documents.test_prepared import _open, _prepared

    enrolled = web.enrolled
    token = agency_token(web, agency)
    created = _prepared(web, token, sub)
    upload = _open(web, created["id"])
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    response = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    assert response.status_code == 200, response.get_json()
    signed_id = response.get_json()["id"]
    download = web.get(f"/api/documents/{signed_id}/pdf", headers=bearer(token))
    assert download.status_code == 200
    return signed_id, download.data


def _certificate_subject(app, pdf: bytes) -> dict:
    import keys

    root = keys.get_service(app).pki.material().root.certificate
    status = lta(pdf, root, index=0).api_status
    assert status.intact and status.valid and status.trusted
    return status.signing_cert.subject.native


def _logged_claims(app, document_id: str) -> list[str]:
    from idp.audit.models import AuditEntry

    with get_db(app).read() as session:
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.reference == document_id,
                                                            AuditEntry.event == "signature.made")).one()
        return list(entry.claims)


def test_an_agency_without_the_national_id_scope_gets_no_national_id_in_the_signature(
        web, docs_app, agency, signed_in):
    enrolled, sub = signed_in
    web.enrolled = enrolled
    signed_id, pdf = _sign_prepared(web, agency, sub)
    subject = _certificate_subject(docs_app, pdf)
    assert "serial_number" not in subject, subject
    assert enrolled.national_id.encode() not in pdf
    assert (subject["given_name"], subject["surname"]) == ("Ana María", "López Pérez")
    assert _logged_claims(docs_app, signed_id) == ["name"]


def test_an_agency_granted_national_id_gets_it_and_the_log_says_so(web, docs_app, signed_in):
    enrolled, _ = signed_in
    web.enrolled = enrolled
    allowed = register(docs_app, client_id=NATIONAL_ID_AGENCY,
                       scope="openid profile national_id documents:issue")
    sub = claims_of(tokens_for(web, allowed, scope="openid profile")["id_token"])["sub"]
    signed_id, pdf = _sign_prepared(web, allowed, sub)
    assert _certificate_subject(docs_app, pdf)["serial_number"] == f"IDCSV-{enrolled.national_id}"
    assert _logged_claims(docs_app, signed_id) == ["name", "national_id"]


def test_the_citizens_own_signature_still_names_their_national_id(web, docs_app, signed_in):
    """Nobody else receives it from Cédula: the certificate identifies the signer fully, and the
    log names no agency and no release."""
    from tests.idp.documents.test_citizen_signing import _pdf, _upload, _upload_id

    enrolled, _ = signed_in
    upload = _upload_id(_upload(web, _pdf("propio"), "propio.pdf"))
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    response = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    assert response.status_code == 200, response.get_json()
    signed_id = response.get_json()["id"]
    pdf = web.get(f"/account/documents/{signed_id}/pdf").data
    assert _certificate_subject(docs_app, pdf)["serial_number"] == f"IDCSV-{enrolled.national_id}"
    assert _logged_claims(docs_app, signed_id) == []
