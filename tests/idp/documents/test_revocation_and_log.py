"""An agency revokes its documents; issuing and signing land in the citizen's data-sharing log."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from infra.db import get_db
from tests.idp.documents.conftest import agency_token, register
from tests.idp.documents.test_api import _issue
from tests.idp.oidc.conftest import bearer


def _log(app, citizen_ref):
    from idp.audit.models import AuditEntry

    with get_db(app).read() as session:
        return [(e.event, e.client_id, e.reference) for e in session.scalars(
            sa.select(AuditEntry).where(AuditEntry.citizen_ref == citizen_ref).order_by(AuditEntry.id))]


def _revoke(web, token, document_id, **body):
    return web.post(f"/api/documents/{document_id}/revoke", data=json.dumps(body),
                    content_type="application/json", headers=bearer(token))


def test_agency_revokes_its_document_and_verification_shows_it(web, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    issued = _issue(web, token, subject=sub).get_json()
    response = _revoke(web, token, issued["id"], reason="Datos del domicilio corregidos")
    assert response.status_code == 200, response.get_json()
    report = web.get(f"/api/verify/{issued['csv']}").get_json()
    assert report["document"]["status"] == "revoked"
    assert report["document"]["revoked_at"]
    assert "corregidos" in json.dumps(report["document"], ensure_ascii=False)
    again = _revoke(web, token, issued["id"], reason="otra vez")
    assert again.status_code == 409, again.get_json()


def test_another_agency_cannot_revoke_and_bad_bodies_are_refused(web, docs_app, agency, signed_in):
    _, sub = signed_in
    issued = _issue(web, agency_token(web, agency), subject=sub).get_json()
    other = register(docs_app, client_id="otra-agencia")
    other_token = agency_token(web, other)
    assert _revoke(web, other_token, issued["id"], reason="no es mío").status_code == 404
    own = agency_token(web, agency)
    assert _revoke(web, own, issued["id"], reason=42).status_code == 422
    assert web.post(f"/api/documents/{issued['id']}/revoke", data="reason=x",
                    headers=bearer(own)).status_code == 415
    assert web.post(f"/api/documents/{issued['id']}/revoke", json={"reason": "x"}).status_code == 401


@pytest.mark.parametrize(("body", "member"), [
    ({"reason": 42}, "reason"),
    ({}, "reason"),
    ({"reason": None}, "reason"),
    ({"reason": "   "}, "reason"),
    ({"reason": "x" * 201}, "reason"),
    ({"reason": "Datos corregidos", "superseded_by": 7}, "superseded_by"),
    ({"reason": "Datos corregidos", "superseded_by": ""}, "superseded_by"),
    ({"reason": "Datos corregidos", "motivo": "x"}, "motivo"),
    ({"reason": "Datos corregidos", "notify": True}, "notify"),
])
def test_a_well_formed_body_with_bad_content_is_422_invalid_data(web, agency, signed_in, body, member):
    """Before: a bad revocation body was `400 invalid_request` where `POST /api/documents` and
    `POST /api/documents/prepared` answer `422 invalid_data` naming the member, and unknown
    members (a misspelt `superseded_by`) were accepted silently: the document was revoked."""
    _, sub = signed_in
    token = agency_token(web, agency)
    issued = _issue(web, token, subject=sub).get_json()
    response = web.post(f"/api/documents/{issued['id']}/revoke", data=json.dumps(body),
                        content_type="application/json", headers=bearer(token))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == "invalid_data"
    assert response.get_json()["error_description"].startswith(f"{member}: ")
    assert web.get(f"/api/documents/{issued['id']}", headers=bearer(token)).get_json()["status"] == "valid"


@pytest.mark.parametrize("path", ["/api/documents/{id}/revoke", "/api/documents", "/api/documents/prepared"])
@pytest.mark.parametrize("raw", ["{", "[]", '"x"', ""])
def test_a_malformed_body_is_400_invalid_request_as_for_issue_and_prepare(web, agency, signed_in, path, raw):
    _, sub = signed_in
    token = agency_token(web, agency)
    issued = _issue(web, token, subject=sub).get_json()
    response = web.post(path.format(id=issued["id"]), data=raw, content_type="application/json",
                        headers=bearer(token))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "invalid_request"


def test_revoked_at_is_written_as_issued_at_is(web, agency, signed_in):
    """Before: `revoked_at` was `...+00:00` where `issued_at` (and /verify's `revoked_at`) is `...Z`."""
    _, sub = signed_in
    token = agency_token(web, agency)
    issued = _issue(web, token, subject=sub).get_json()
    assert issued["issued_at"].endswith("Z")
    revoked = _revoke(web, token, issued["id"], reason="Datos corregidos").get_json()
    assert revoked["revoked_at"].endswith("Z") and "+00:00" not in revoked["revoked_at"]
    assert revoked["revoked_at"] == web.get(f"/api/verify/{issued['csv']}").get_json()["document"]["revoked_at"]


def test_the_refusals_of_a_bad_body_are_described(web):
    """The OpenAPI description said 400 for a bad body, and allowed any member."""
    document = web.get("/openapi.json").get_json()
    operation = document["paths"]["/api/documents/{document_id}/revoke"]["post"]
    assert "invalid_data" in operation["responses"]["422"]["description"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    request = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert request["additionalProperties"] is False
    assert set(request["properties"]) == {"reason", "superseded_by"}


def test_issued_document_is_in_the_citizens_log(web, docs_app, agency, signed_in):
    enrolled, sub = signed_in
    issued = _issue(web, agency_token(web, agency), subject=sub).get_json()
    entries = _log(docs_app, enrolled.citizen_id)
    assert ("document.issued", agency.client_id, issued["id"]) in entries
    page = web.get("/account/log").get_data(as_text=True)
    assert issued["id"] in page or "document" in page


def test_the_log_entry_names_what_the_document_discloses(web, docs_app, agency, signed_in):
    """Before: a `document.issued` entry named no claims, though the agency downloads a PDF that
    prints the register's full name of the citizen."""
    from idp.audit.models import AuditEntry

    _, sub = signed_in
    issued = _issue(web, agency_token(web, agency), subject=sub).get_json()
    with get_db(docs_app).read() as session:
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.reference == issued["id"])).one()
    assert entry.event == "document.issued" and list(entry.claims) == ["name"]


def test_a_citizen_who_withdrew_consent_is_not_named_in_a_new_document(web, docs_app, agency, signed_in):
    """Before: an agency holding documents:issue could turn a citizen's pairwise sub into the
    citizen's full name (printed in the sealed PDF it downloads) after the citizen withdrew the
    agency's access."""
    from signing.models import Document
    from tests.idp.consent.test_revocation import revoke

    enrolled, sub = signed_in
    token = agency_token(web, agency)
    assert revoke(web, agency.client_id).status_code == 303
    before = _log(docs_app, enrolled.citizen_id)
    with get_db(docs_app).read() as session:
        documents = session.scalar(sa.select(sa.func.count()).select_from(Document))
    refused = _issue(web, token, subject=sub)
    assert refused.status_code == 403, refused.get_data(as_text=True)
    assert refused.get_json()["error"] == "consent_required"
    assert _log(docs_app, enrolled.citizen_id) == before  # nothing released, nothing logged
    with get_db(docs_app).read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == documents


def test_the_revocation_answers_are_the_described_ones(web, docs_app, agency, signed_in):
    """The 200 of `POST /api/documents/{id}/revoke` had no content in /openapi.json: a portal
    generated from it could not read the new status; its 409 is `conflict`."""
    import jsonschema

    _, sub = signed_in
    token = agency_token(web, agency)
    issued = _issue(web, token, subject=sub).get_json()
    document = web.get("/openapi.json").get_json()
    responses = document["paths"]["/api/documents/{document_id}/revoke"]["post"]["responses"]
    for answer in (_revoke(web, token, issued["id"], reason="Datos corregidos"),
                   _revoke(web, token, issued["id"], reason="otra vez")):
        schema = responses[str(answer.status_code)]["content"]["application/json"]["schema"]
        jsonschema.validate(answer.get_json(), {**schema, "components": document["components"]})
    assert answer.get_json()["error"] == "conflict"
