"""The citizen's data pages: connected agencies, the log and its download, the full export,
consent receipts."""

from __future__ import annotations

import json

import pytest

from tests.idp.conftest import enrol
from tests.idp.oidc.conftest import bearer, tokens_for


def test_agencies_page_lists_claims_dates_and_last_use(client, register, citizen):
    agency = register(client_name="Registro Civil", purpose="Partidas de nacimiento")
    assert 'id="no-agencies"' in client.get("/account/agencies").get_data(as_text=True)
    body = tokens_for(client, agency, scope="openid email")
    client.get("/userinfo", headers=bearer(body["access_token"]))
    html = client.get("/account/agencies").get_data(as_text=True)
    assert "Registro Civil" in html and "Partidas de nacimiento" in html
    assert 'data-claim="email"' in html and 'data-claim="given_name"' not in html
    assert 'class="last-used"><time' in html
    assert 'aria-current="page"' in html
    assert "style=" not in html and "onclick" not in html
    overview = client.get("/account").get_data(as_text=True)
    assert 'href="/account/agencies"' in overview


def test_log_page_and_download(client, register, citizen):
    from idp import audit

    agency = register(client_name="Hacienda")
    body = tokens_for(client, agency, scope="openid email")
    client.get("/userinfo", headers=bearer(body["access_token"]))
    page = client.get("/account/log")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert html.count("<tr data-seq=") == 3 and "Hacienda" in html
    assert 'data-event="release_userinfo"' in html and "ana@example.sv" not in html
    assert '<th scope="col">' in html and "<caption" in html

    download = client.get("/account/log.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="cedula-data-sharing-log.json"'
    document = json.loads(download.get_data(as_text=True))
    assert [e["body"]["event"] for e in document["entries"]] == [
        "consent.given", "release.id_token", "release.userinfo"]
    assert document["not_yet_checkpointed"] == []
    keys = {k["kid"]: k for k in client.get("/audit/log-keys.json").get_json()["keys"]}
    assert audit.verify_bundle(document, trusted=keys) == 3


def test_log_pages_only_show_the_citizens_own_entries(client, register, citizen):
    agency = register()
    tokens_for(client, agency)
    other = client.application.test_client()
    enrol(other, national_id=_other_id(), email="b@example.sv")
    assert other.get("/account/log").get_data(as_text=True).count("<tr data-seq=") == 0


def _other_id() -> str:
    from tests.idp.conftest import dui

    return dui(12345678)


def test_export_holds_profile_passkeys_consents_documents_and_log(client, register, citizen):
    agency = register()
    tokens_for(client, agency)
    response = client.get("/account/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["profile"]["given_name"] == "Ana María" and data["profile"]["national_id"] == citizen.national_id
    assert len(data["passkeys"]) == 1 and "public_key" not in data["passkeys"][0]
    assert data["consents"][0]["agency"] == agency.client_id
    assert isinstance(data["documents"], list)
    from idp.consent.receipts import verify_receipt

    keys = {k["kid"]: k for k in client.get("/audit/log-keys.json").get_json()["keys"]}
    receipt = verify_receipt(data["consents"][0]["receipt"], keys)
    assert receipt["schema_version"] == "ISO/IEC TS 27560:2023"
    assert receipt["purposes"][0]["lawful_basis"] == {"type": "consent"}
    assert receipt["purposes"][0]["pii_categories"] == ["birthdate", "email", "email_verified", "family_name",
                                                        "given_name", "sub"]
    assert "Ana" not in json.dumps(receipt)
    from idp import audit

    assert audit.verify_bundle(data["log"], trusted=keys) == 2


def test_receipts_of_other_citizens_are_not_found(client, register, citizen):
    from idp.consent.models import Consent
    from infra.db import get_db

    tokens_for(client, register())
    with get_db(client.application).read() as session:
        consent_id = session.query(Consent).one().id
    assert client.get(f"/account/agencies/receipts/{consent_id}").status_code == 200
    other = client.application.test_client()
    enrol(other, national_id=_other_id(), email="b@example.sv")
    assert other.get(f"/account/agencies/receipts/{consent_id}").status_code == 404
    assert other.get("/account/agencies/receipts/not-a-uuid").status_code == 404


def test_pages_need_a_signed_in_citizen(client):
    for path in ("/account/agencies", "/account/log", "/account/log.json", "/account/export", "/account/close"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("page", ["²", "１", "٣", "-1", "0", "9999999", "x"])
def test_a_log_page_number_that_is_not_plain_ascii_digits_shows_the_first_page(client, register, citizen, page):
    """`?page=²` passed str.isdigit() and then failed int(): a 500 on the citizen's own page."""
    answer = client.get("/account/log", query_string={"page": page})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
