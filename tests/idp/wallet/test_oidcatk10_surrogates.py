"""JSON lets a string hold a lone surrogate ("\\ud800"), which is not a character: UTF-8 cannot
carry it, so neither SQLite nor PostgreSQL (psycopg) can be sent it in a query. The wallet's
notification endpoint (OpenID4VCI 1.0 section 11) looked its notification_id up as sent and
answered 500 server_error on both backends; now every wallet JSON body holding one is refused
as the endpoint's invalid request (400), as a NUL is."""

from __future__ import annotations

import pytest

from tests.idp.wallet.conftest import token_ready


def _post(holder, endpoint: str, raw: str):
    return holder.transport.client.post(holder.transport._path(holder.metadata[endpoint]), data=raw,
                                        content_type="application/json",
                                        headers={"Authorization": f"Bearer {holder.access_token}"})


@pytest.mark.parametrize("raw", [
    '{"notification_id": "\\ud800", "event": "credential_accepted"}',
    '{"notification_id": "a\\udfffb", "event": "credential_deleted"}',
    '{"notification_id": "a", "event": "credential_failure", "\\ud800": 1}',
])
def test_a_lone_surrogate_in_a_notification_is_invalid_notification_request(web, birth, holder, raw):
    token_ready(web, birth, holder)
    response = _post(holder, "notification_endpoint", raw)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "invalid_notification_request"
    assert "surrogate" in response.get_json()["error_description"]

