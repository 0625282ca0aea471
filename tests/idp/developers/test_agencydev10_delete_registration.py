"""`DELETE /register/{client_id}` (RFC 7592 section 2.3) answered 204 with
`Content-Type: text/html; charset=utf-8`, telling a portal's HTTP client that it got a page;
a 204 has no content and so no type (RFC 9110 section 8.3), as /revoke's and the preflights'
answers already do (infra.web.caching.no_content). Its answer is now that: 204, no body, no
Content-Type, no Content-Length (RFC 9110 section 8.6)."""

from __future__ import annotations

METADATA = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}


def test_deletion_answers_204_without_a_content_type(client, initial):
    created = client.post("/register", json=METADATA, headers=initial).get_json()
    bearer = {"Authorization": "Bearer " + created["registration_access_token"]}
    deleted = client.delete(f"/register/{created['client_id']}", headers=bearer)
    assert deleted.status_code == 204
    assert deleted.get_data() == b""
    assert "Content-Type" not in deleted.headers, deleted.headers
    assert "Content-Length" not in deleted.headers, deleted.headers
    assert deleted.headers["Cache-Control"] == "no-store"
    assert client.get(f"/register/{created['client_id']}", headers=bearer).status_code == 401
