"""One browser, one citizen (idp.sessions.start_session): a sign-in as another citizen than the
one signed in here is refused (409 `account_mismatch`) whatever the way in, and nothing of
it is kept (the code stays unspent, no account is created); the signed-in citizen's session
stays as it was, so no agency of theirs is logged out. A recovery session reaches no agency
and is replaced freely; `/bind` replaces a session only after the person confirmed it
(tests/idp/registrar/test_registrar.py)."""

from __future__ import annotations

from idp.citizens.models import Citizen
from infra.db import get_db
from tests.idp.conftest import another_citizen, csrf, dui, fields, post_json, session_cookie, sign_in
from tests.support.authenticator import SoftwareAuthenticator


def _recover(browser, who):
    return browser.post("/recover", data={"csrf_token": csrf(browser, "/recover"),
                                          "national_id": who.national_id, "code": who.codes[0]})


def test_a_recovery_code_of_another_citizen_does_not_replace_the_session(client, enrolled):
    _, other = another_citizen(client.application)
    before = session_cookie(client)
    refused = _recover(client, other)
    assert refused.status_code == 409
    assert "cierre la sesión" in refused.get_data(as_text=True)
    assert refused.headers["Cache-Control"] == "no-store"
    assert session_cookie(client) == before and client.get("/account/details").status_code == 200
    # Nothing was spent: the other citizen still recovers with that code, in their own browser.
    assert _recover(client.application.test_client(), other).status_code == 303


def test_the_refusal_is_json_for_an_api_client(client, enrolled):
    _, other = another_citizen(client.application)
    refused = client.post("/recover", headers={"Accept": "application/json"},
                          data={"csrf_token": csrf(client, "/recover"), "national_id": other.national_id,
                                "code": other.codes[0]})
    assert refused.status_code == 409 and refused.get_json()["error"] == "account_mismatch"


def test_enrolling_another_account_while_signed_in_is_refused_and_creates_nothing(client, enrolled):
    before = session_cookie(client)
    body = fields(national_id=dui(31313131), email="nuevo@example.sv")
    options = post_json(client, "/webauthn/registration/options", body).get_json()
    refused = post_json(client, "/webauthn/registration/verify", SoftwareAuthenticator().register(options))
    assert refused.status_code == 409 and refused.get_json()["error"] == "account_mismatch"
    assert session_cookie(client) == before
    with get_db(client.application).read() as db:
        assert db.query(Citizen).filter_by(national_id=dui(31313131)).count() == 0


def test_a_recovery_session_is_replaced_by_another_citizens_sign_in(client, enrolled):
    browser = client.application.test_client()
    assert _recover(browser, enrolled).status_code == 303
    _, other = another_citizen(client.application)
    assert sign_in(browser, other.key).status_code == 200
    assert browser.get("/account/details").status_code == 200
