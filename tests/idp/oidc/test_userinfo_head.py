"""HEAD /userinfo: OIDC Core 5.3.1 names GET and POST; a HEAD answer carries no claims, so it
is no release and must not be written to the citizen's data-sharing log as one. It is refused
(RFC 9110 section 15.5.6: 405 with the methods the resource accepts), before the token is read."""

from __future__ import annotations

from tests.idp.oidc.conftest import bearer, tokens_for
from tests.idp.oidc.test_userinfo import _userinfo_entries


def test_head_userinfo_releases_nothing_and_logs_nothing(client, citizen, register, oidc_app):
    agency = register()
    headers = bearer(tokens_for(client, agency)["access_token"])
    answer = client.head("/userinfo", headers=headers)
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert "HEAD" not in answer.headers["Allow"]
    assert _userinfo_entries(oidc_app) == 0
    # GET still answers, and is logged.
    assert client.get("/userinfo", headers=headers).status_code == 200
    assert _userinfo_entries(oidc_app) == 1


def test_head_userinfo_is_no_probe_of_a_token(client):
    """Refused before the token is read: a HEAD tells nothing about the token it carries."""
    answer = client.head("/userinfo", headers=bearer("not-a-token"))
    assert answer.status_code == 405 and "WWW-Authenticate" not in answer.headers
