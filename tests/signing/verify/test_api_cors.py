"""A portal's own page looks a verification code up in the browser: `GET /api/verify/<CSV>`
answers `Access-Control-Allow-Origin: *` (no credentials), its errors included, and lets the
page read Retry-After; the upload (`POST /api/verify`) stays same-origin. The look-up had no
CORS at all, so a browser hid every answer from the portal's script."""

from __future__ import annotations

from signing.verify.service import get_verification
from tests.signing.verify import samples

PORTAL = {"Origin": "https://portal.agency.example"}


def _readable_by_any_page(response) -> None:
    assert response.headers.get("Access-Control-Allow-Origin") == "*", response.status_code
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Retry-After" in response.headers.get("Access-Control-Expose-Headers", "")
    assert "Set-Cookie" not in response.headers


def test_the_code_look_up_and_its_errors_are_readable_from_any_page(pki_app, issued):
    client = pki_app.test_client()
    found = client.get(f"/api/verify/{issued[0].csv}?lang=en", headers=PORTAL)
    assert found.status_code == 200
    _readable_by_any_page(found)
    unknown = client.get("/api/verify/7KQ4-M2XH-9PRT-WC3N-B8DA?lang=en", headers=PORTAL)
    mistyped = client.get("/api/verify/7KQ4-M2XH-9PRT-WC3N-B8DZ?lang=en", headers=PORTAL)
    assert (unknown.status_code, mistyped.status_code) == (404, 400)
    _readable_by_any_page(unknown)
    _readable_by_any_page(mistyped)
    limit = get_verification(pki_app).settings.failed_lookups
    for _ in range(limit):
        limited = client.get("/api/verify/0000-0000-0000-0000-0000", headers=PORTAL)
    assert limited.status_code == 429
    _readable_by_any_page(limited)


def test_the_upload_stays_same_origin(client):
    response = client.post("/api/verify", data=samples.blank_pdf(), headers={
        "Content-Type": "application/pdf", **PORTAL})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
