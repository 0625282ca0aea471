"""The agencies' documents API and the client credentials grant behind it."""

from __future__ import annotations

import json

from tests.idp.conftest import post_json
from tests.idp.documents.conftest import agency_token, consented_sub, register
from tests.idp.oidc.conftest import bearer, claims_of
from tests.signing import samples


def _issue(web, token, **body):
    payload = {"template": "residence", "data": samples.RESIDENCE, **body}
    return web.post("/api/documents", data=json.dumps(payload), content_type="application/json",
                    headers=bearer(token))


def test_client_credentials_token_is_an_rfc9068_jwt_for_the_client_itself(web, agency):
    response = web.post("/token", data={"grant_type": "client_credentials"},
                        headers={"Authorization": "Basic " + __import__("base64").b64encode(
                            f"{agency.client_id}:{agency.secret}".encode()).decode()})
    body = response.get_json()
    assert response.status_code == 200, body
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["scope"] == "documents:issue" and body["token_type"] == "Bearer"
    claims = claims_of(body["access_token"])
    assert claims["sub"] == claims["client_id"] == agency.client_id
    assert claims["aud"] == "http://localhost/api/documents"
    assert "grant" not in claims
    header = json.loads(__import__("base64").urlsafe_b64decode(
        body["access_token"].split(".")[0] + "=="))
    assert header["typ"] == "at+jwt"


def test_client_credentials_refused_without_the_grant_or_scope(web, docs_app):
    plain = register(docs_app, client_id="portal", scope="openid profile",
                     grant_types=("authorization_code",))
    form = {"grant_type": "client_credentials"}
    auth = __import__("base64").b64encode(f"portal:{plain.secret}".encode()).decode()
    response = web.post("/token", data=form, headers={"Authorization": f"Basic {auth}"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "unauthorized_client"


def test_client_credentials_refuses_other_scopes(web, agency):
    import base64

    auth = base64.b64encode(f"{agency.client_id}:{agency.secret}".encode()).decode()
    response = web.post("/token", data={"grant_type": "client_credentials", "scope": "openid"},
                        headers={"Authorization": f"Basic {auth}"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_scope"


def test_discovery_lists_client_credentials(web):
    grants = web.get("/.well-known/openid-configuration").get_json()["grant_types_supported"]
    assert "client_credentials" in grants


def test_issue_for_a_pairwise_subject_then_fetch_it(web, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    response = _issue(web, token, subject=sub, language="en")
    body = response.get_json()
    assert response.status_code == 201, body
    assert body["verify_url"] == f"http://localhost/verify/{body['csv']}"
    assert body["download_url"] == f"http://localhost/api/documents/{body['id']}/pdf"
    assert body["level"] == "B-LTA" and body["language"] == "en" and body["kind"] == "sealed"
    assert response.headers["Location"].endswith(body["id"])
    pdf = web.get(f"/api/documents/{body['id']}/pdf", headers=bearer(token))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    import hashlib

    assert hashlib.sha256(pdf.data).hexdigest() == body["sha256"]
    meta = web.get(f"/api/documents/{body['id']}", headers=bearer(token)).get_json()
    assert meta["csv"] == body["csv"]
    # The citizen sees it under "My documents" and downloads the same bytes.
    page = web.get("/account/documents").get_data(as_text=True)
    assert body["csv"] in page and f"/verify/{body['csv']}" in page
    mine = web.get(f"/account/documents/{body['id']}/pdf")
    assert mine.status_code == 200 and mine.data == pdf.data


def test_issue_at_a_lower_level(web, agency, signed_in):
    _, sub = signed_in
    response = _issue(web, agency_token(web, agency), subject=sub, level="B-B")
    assert response.status_code == 201 and response.get_json()["level"] == "B-B"


def test_wrong_data_is_422_naming_the_field(web, agency, signed_in):
    _, sub = signed_in
    data = samples.without(samples.RESIDENCE, "municipality") if hasattr(samples, "without") \
        else {k: v for k, v in samples.RESIDENCE.items() if k != "municipality"}
    data["resident_since"] = "yesterday"
    response = _issue(web, agency_token(web, agency), subject=sub, data=data)
    body = response.get_json()
    assert response.status_code == 422
    assert body["error"] == "invalid_data"
    assert "$.municipality" in body["error_description"]
    assert {f["path"] for f in body["fields"]} == {"$.municipality", "$.resident_since"}


def test_unknown_template_and_subject_are_422_naming_the_field(web, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    response = _issue(web, token, subject=sub, template="marriage")
    assert response.status_code == 422
    assert response.get_json()["error_description"].startswith("template: ")
    response = _issue(web, token, subject="not-a-subject-of-this-agency")
    assert response.status_code == 422
    assert response.get_json()["error_description"].startswith("subject: ")


def test_another_agencys_subject_is_not_resolved(web, docs_app, agency, signed_in):
    """Pairwise subjects of one sector mean nothing to a client of another sector."""
    _, sub = signed_in
    other = register(docs_app, client_id="hacienda", redirect_uris=["https://hacienda.example.gov/cb"])
    response = _issue(web, agency_token(web, other), subject=sub)
    assert response.status_code == 422
    assert response.get_json()["error_description"].startswith("subject: ")


def test_subjects_of_grants_made_before_the_index_are_found(web, docs_app, agency, signed_in):
    import sqlalchemy as sa

    from idp.oidc.models import IndexedSector, SubjectIndex
    from infra.db import get_db

    _, sub = signed_in
    with get_db(docs_app).transaction() as session:
        session.execute(sa.delete(SubjectIndex))
        session.execute(sa.delete(IndexedSector))
    response = _issue(web, agency_token(web, agency), subject=sub)
    assert response.status_code == 201, response.get_json()


def test_api_needs_the_agency_token(web, agency, signed_in):
    _, sub = signed_in
    response = _issue(web, "", subject=sub)
    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]
    # A citizen's access token (authorization code grant) is not an agency token.
    from tests.idp.oidc.conftest import tokens_for

    citizen_token = tokens_for(web, agency, scope="openid")["access_token"]
    response = _issue(web, citizen_token, subject=sub)
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_token"


def test_a_document_of_another_agency_is_not_found(web, docs_app, agency, signed_in):
    _, sub = signed_in
    issued = _issue(web, agency_token(web, agency), subject=sub).get_json()
    other = register(docs_app, client_id="hacienda", redirect_uris=["https://hacienda.example.gov/cb"])
    response = web.get(f"/api/documents/{issued['id']}", headers=bearer(agency_token(web, other)))
    assert response.status_code == 404


def test_templates_are_served(web):
    from signing.templates import schemas

    response = web.get("/api/documents/templates")
    assert response.status_code == 200
    assert response.get_json() == json.loads(json.dumps(schemas()))
    assert {"residence", "birth"} <= set(response.get_json())


def test_agency_without_seal_certificate_gets_409(web, docs_app, signed_in):
    other = register(docs_app, client_id="sin-sello", redirect_uris=["https://portal.example.gov/callback"])
    sub = consented_sub(web, other)  # a document names the citizen: only with their consent
    response = _issue(web, agency_token(web, other), subject=sub)
    assert response.status_code == 409
    assert response.get_json()["error"] == "seal_unavailable"


def test_non_json_body_is_415(web, agency):
    response = web.post("/api/documents", data="x", content_type="text/plain",
                        headers=bearer(agency_token(web, agency)))
    assert response.status_code == 415


def test_a_member_named_twice_is_400_and_issues_nothing(web, docs_app, agency, signed_in):
    """RFC 7493 (I-JSON) 2.3: one object, one member per name. `{"subject": A, ..., "subject": B}`
    was read as B here, while a log, a proxy or the agency's own code may read A."""
    import sqlalchemy as sa

    from infra.db import get_db
    from signing.models import Document

    _, sub = signed_in
    body = json.dumps({"template": "residence", "data": samples.RESIDENCE, "subject": sub})
    doubled = body[:-1] + ', "template": "birth"}'
    response = web.post("/api/documents", data=doubled, content_type="application/json",
                        headers=bearer(agency_token(web, agency)))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "invalid_request"
    assert "'template'" in response.get_json()["error_description"]
    with get_db(docs_app).read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_post_json_helper_is_same_origin(web):
    assert post_json(web, "/api/documents", {}).status_code == 401


def test_a_document_is_named_in_the_readers_language_and_keeps_its_printed_title(web, agency,
                                                                                 signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    body = _issue(web, token, subject=sub, language="es").get_json()
    meta = web.get(f"/api/documents/{body['id']}", headers=bearer(token)).get_json()
    assert meta["title"] == "Certificado de residencia" and meta["language"] == "es"
    assert meta["titles"] == {"es": "Certificado de residencia", "en": "Certificate of residence"}
    english = {"Accept-Language": "en"}
    page = web.get("/account/documents", headers=english).get_data(as_text=True)
    assert "Certificate of residence" in page and "Certificado de residencia" not in page
    assert "Certificado de residencia" in web.get("/account/documents",
                                                  headers={"Accept-Language": "es"}).get_data(as_text=True)
    verify = web.get(f"/verify/{body['csv']}", headers=english).get_data(as_text=True)
    assert "Certificate of residence" in verify and "Certificado de residencia" not in verify
    report = web.get(f"/api/verify/{body['csv']}", headers=english)
    assert report.status_code == 200, report.get_json()
    assert report.get_json()["document"]["type"] == "Certificate of residence"


def test_the_holder_is_the_registers_citizen(web, docs_app, agency, signed_in):
    """Before: a document delivered to Ana María could name María José in its body, and the
    wallet kept that. Holder fields naming someone else are 422 naming the field; left out,
    they are the register's, in the document and in the data kept for wallets."""
    from idp.wallet.models import CredentialData
    from infra.db import get_db

    _, sub = signed_in
    token = agency_token(web, agency)
    someone_else = _issue(web, token, subject=sub, data={**samples.RESIDENCE, **samples.HOLDER["residence"]})
    body = someone_else.get_json()
    assert someone_else.status_code == 422 and body["error"] == "invalid_data", body
    assert [f["path"] for f in body["fields"]] == ["$.full_name", "$.identity_document.number"]
    issued = _issue(web, token, subject=sub, data={**samples.RESIDENCE, "full_name": "ana maría  LÓPEZ pérez"})
    assert issued.status_code == 201, issued.get_json()
    with get_db(docs_app).read() as session:
        kept = session.get(CredentialData, issued.get_json()["id"]).data
    assert kept["full_name"] == "Ana María López Pérez"  # the same name, as the register writes it
    # the national ID is not filled in: this agency was not granted the national_id scope
    # (test_national_id_disclosure.py)
    assert "identity_document" not in kept
