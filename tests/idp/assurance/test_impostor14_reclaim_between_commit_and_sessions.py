"""A reclaim between its commit and its ending of the frozen account's sessions (impostor14).

The reclaim's transaction freezes the account that held the national ID and revokes its
agencies' grants; its sessions end after the commit. An agency's code issued and exchanged in
one of those sessions meanwhile kept its grant, refresh token included, on the frozen account:
the impostor's agency app went on reading it. As for a desk recovery
(tests/idp/registrar/test_impostor14_between_commit_and_sessions.py)."""

from __future__ import annotations

from tests.idp.assurance.test_reclaim import _claim, _code, _enter, _import, _send
from tests.idp.conftest import enrol
from tests.idp.oidc.conftest import bearer, exchange, get_code, oidc_app, register, token_request  # noqa: F401
from tests.support.once import before_first_call

OFFLINE = "openid profile offline_access"


def test_tokens_got_in_that_moment_do_not_outlive_the_freeze(oidc_app, register, monkeypatch):  # noqa: F811
    from idp.assurance import reclaim_views

    _import(oidc_app)
    agency = register(scope=OFFLINE)
    squatter = oidc_app.test_client()
    enrol(squatter)  # with what is printed on Ana's ID card
    got: dict = {}

    def squatter_signs_in_to_an_agency():
        code, flow = get_code(squatter, agency, scope=OFFLINE)
        got["exchange"] = exchange(squatter, agency, code, flow)

    # after the reclaim committed, before it ends the frozen account's sessions
    before_first_call(monkeypatch, reclaim_views, "sessions_for", squatter_signs_in_to_an_agency)
    holder = oidc_app.test_client()
    assert _claim(holder).status_code == 303
    _send(holder)
    assert _enter(holder, _code(oidc_app)).status_code == 200
    exchanged = got["exchange"]  # issued in that moment (the session was live)
    assert exchanged.status_code == 200, exchanged.get_json()
    tokens = exchanged.get_json()
    refreshed = token_request(squatter, agency, {"grant_type": "refresh_token",
                                                 "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 400 and refreshed.get_json()["error"] == "invalid_grant", refreshed.get_json()
    assert squatter.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401
