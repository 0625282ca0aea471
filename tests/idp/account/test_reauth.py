"""Issue 12: sensitive account actions need a fresh passkey check (account.reauth_seconds).

Adding or deleting a passkey and creating recovery codes need a user-verified passkey
assertion at most `account.reauth_seconds` (300) old in that session; otherwise the citizen
confirms with a passkey and the action goes on. A copied session cookie alone cannot add a
passkey or take recovery codes, and a re-check by the citizen ends the copy.
"""

from __future__ import annotations

import re

import pytest

from idp.citizens.models import Passkey, RecoveryCode
from infra.db import get_db
from tests.idp.conftest import (
    age_session,
    another_citizen,
    csrf,
    post_json,
    recheck,
    session_cookie,
)
from tests.support.authenticator import SoftwareAuthenticator

STALE = 301  # seconds: just past the default account.reauth_seconds


def html(response) -> str:
    return response.get_data(as_text=True)


def _passkeys(app, citizen_id: str) -> int:
    with get_db(app).read() as db:
        return db.query(Passkey).filter(Passkey.citizen_id == _uuid(citizen_id)).count()


def _codes(app, citizen_id: str) -> list[bytes]:
    with get_db(app).read() as db:
        return sorted(c.code_hash for c in db.query(RecoveryCode).filter(
            RecoveryCode.citizen_id == _uuid(citizen_id)))


def _uuid(value: str):
    import uuid

    return uuid.UUID(value)


def _add_passkey(client, key: SoftwareAuthenticator):
    options = post_json(client, "/webauthn/registration/options", {})
    if options.status_code != 200:
        return options
    return post_json(client, "/webauthn/registration/verify", key.register(options.get_json()))


def test_the_decision(client):
    from idp.account.reauth import is_fresh
    from idp.sessions.records import SsoSession

    def session(auth_time: float, amr=("hwk", "mfa"), recovery=False):
        return SsoSession(sid="s", citizen_id="c", created=0, auth_time=auth_time, last_seen=0,
                          expires=10_000, amr=amr, recovery=recovery)

    assert is_fresh(session(1000), now=1300, max_age=300)
    assert not is_fresh(session(1000), now=1301, max_age=300)
    assert not is_fresh(session(1000, amr=("hwk", "user")), now=1001, max_age=300)  # no UV
    assert is_fresh(session(1000, amr=("otp",), recovery=True), now=1100, max_age=300)
    assert not is_fresh(session(1000, amr=("otp",), recovery=True), now=1301, max_age=300)
    assert not is_fresh(session(2000), now=1000, max_age=300)  # from the future


def test_adding_a_passkey_in_a_stale_session_asks_for_a_recheck_first(client, enrolled):
    age_session(client, STALE)
    refused = post_json(client, "/webauthn/registration/options", {},
                        headers={"Accept-Language": "en"})
    assert refused.status_code == 403
    body = refused.get_json()
    assert body["error"] == "reauthentication_required"
    assert body["error_description"].startswith("To add a passkey you must confirm with your "
                                                 "passkey that it is you")
    assert body["reauth_uri"] == "/account/reauth?next=/account"

    page = client.get(body["reauth_uri"])
    assert page.status_code == 200
    assert '<button id="recheck-confirm" type="button"' in html(page)
    assert 'data-next="/account"' in html(page) and "recheck-resubmit" not in html(page)

    assert recheck(client, enrolled.key).status_code == 200
    added = _add_passkey(client, SoftwareAuthenticator())
    assert added.status_code == 200, added.get_json()
    assert _passkeys(client.application, enrolled.citizen_id) == 2


def test_new_recovery_codes_in_a_stale_session_come_after_a_recheck(client, enrolled):
    before = _codes(client.application, enrolled.citizen_id)
    token = csrf(client, "/account")
    age_session(client, STALE)
    page = client.post("/account/recovery-codes", data={"csrf_token": token})
    text = html(page)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Confirme que es usted" in text and "crear códigos de recuperación nuevos" in text
    form = re.search(r'<form id="recheck-resubmit" method="post" action="([^"]+)" hidden>(.*?)'
                     r"</form>", text, re.S)
    assert form is not None and form.group(1) == "/account/recovery-codes"
    assert f'name="csrf_token" value="{token}"' in form.group(2)  # this browser's token
    assert not re.findall(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", text)
    assert _codes(client.application, enrolled.citizen_id) == before

    assert recheck(client, enrolled.key).status_code == 200
    again = client.post(form.group(1), data={"csrf_token": token})  # what the page submits
    assert again.status_code == 200
    assert len(re.findall(r"<li>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</li>", html(again))) == 10
    assert _codes(client.application, enrolled.citizen_id) != before


def test_deleting_a_passkey_in_a_stale_session_comes_after_a_recheck(client, enrolled):
    second = SoftwareAuthenticator()
    assert _add_passkey(client, second).status_code == 200
    token = csrf(client, "/account")
    action = f"/account/passkeys/{second.credential_id_b64}/delete"
    age_session(client, STALE)
    page = client.post(action, data={"csrf_token": token})
    assert page.status_code == 200 and f'action="{action}"' in html(page)
    assert "eliminar una llave de acceso" in html(page)
    assert _passkeys(client.application, enrolled.citizen_id) == 2
    assert client.post(action, data={}).status_code == 400  # the CSRF check comes first

    assert recheck(client, second).status_code == 200  # any of the citizen's passkeys
    done = client.post(action, data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"] == "/account?done=deleted"
    assert _passkeys(client.application, enrolled.citizen_id) == 1


def test_a_copied_session_cookie_alone_cannot_take_the_account_over(client, enrolled, fresh_app):
    """The attacker copied the cookie of a session signed in more than five minutes ago."""
    age_session(client, STALE)
    thief = fresh_app.test_client()
    from idp.sessions import cookie_name

    with fresh_app.test_request_context():
        name = cookie_name()
    thief.set_cookie(name, session_cookie(client))
    assert thief.get("/account").status_code == 200  # the copy works for reading...
    own_key = SoftwareAuthenticator()
    assert _add_passkey(thief, own_key).status_code == 403  # ...not for adding a passkey
    token = csrf(thief, "/account")
    page = thief.post("/account/recovery-codes", data={"csrf_token": token})
    assert not re.findall(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", html(page))
    # Its own passkey does not pass the re-check (the options name only the victim's).
    options = post_json(thief, "/account/reauth/options", {}).get_json()
    assert [c["id"] for c in options["allowCredentials"]] == [enrolled.key.credential_id_b64]
    refused = post_json(thief, "/account/reauth/verify", own_key.authenticate(options))
    assert refused.status_code == 400 and refused.get_json()["error"] == "unknown_credential"
    # Nor does a passkey of another citizen (the attacker's own account).
    _, attacker = another_citizen(fresh_app)
    options = post_json(thief, "/account/reauth/options", {}).get_json()
    refused = post_json(thief, "/account/reauth/verify", attacker.key.authenticate(options))
    assert refused.status_code == 400 and refused.get_json()["error"] == "unknown_credential"
    assert _add_passkey(thief, own_key).status_code == 403
    assert _passkeys(fresh_app, enrolled.citizen_id) == 1
    assert _codes(fresh_app, enrolled.citizen_id) and len(_codes(fresh_app, enrolled.citizen_id)) == 10

    # The citizen's own re-check rotates the session's token: the copy stops working.
    assert recheck(client, enrolled.key).status_code == 200
    assert thief.get("/account").status_code == 302
    assert client.get("/account").status_code == 200


def test_a_recheck_challenge_is_for_one_citizen_and_one_purpose(client, enrolled, fresh_app):
    options = post_json(client, "/account/reauth/options", {}).get_json()
    assertion = enrolled.key.authenticate(options)
    # A re-check challenge does not sign anybody in...
    signed_in = post_json(fresh_app.test_client(), "/webauthn/authentication/verify", assertion)
    assert signed_in.status_code == 400 and signed_in.get_json()["error"] == "invalid_challenge"
    # ...and a sign-in challenge is no re-check.
    sign_in_options = post_json(client, "/webauthn/authentication/options", {}).get_json()
    wrong = post_json(client, "/account/reauth/verify", enrolled.key.authenticate(sign_in_options))
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "invalid_challenge"
    # Another citizen's session cannot use this citizen's re-check challenge.
    other, someone = another_citizen(fresh_app)
    options = post_json(client, "/account/reauth/options", {}).get_json()
    stolen = post_json(other, "/account/reauth/verify", someone.key.authenticate(options))
    assert stolen.status_code == 403 and stolen.get_json()["error"] == "forbidden"


def test_a_recheck_needs_user_verification_and_a_signed_in_citizen(client, enrolled, fresh_app):
    age_session(client, STALE)
    response = recheck(client, enrolled.key, uv=False)
    assert response.status_code == 400
    assert response.get_json()["error"] == "user_verification_required"
    assert _add_passkey(client, SoftwareAuthenticator()).status_code == 403  # still stale
    anonymous = fresh_app.test_client()
    assert post_json(anonymous, "/account/reauth/options", {}).status_code == 401
    assert anonymous.get("/account/reauth").status_code == 302


def test_the_recheck_page_goes_back_only_to_this_site(client, enrolled):
    page = html(client.get("/account/reauth?next=https://evil.example/"))
    assert 'data-next="/account"' in page
    page = html(client.get("/account/reauth?next=/account/sign", headers={"Accept-Language": "en"}))
    assert 'data-next="/account/sign"' in page and "Confirm it is you" in page
    assert "<script" in page and "onclick" not in page and "style=" not in page


def test_a_recovery_session_adds_a_passkey_only_while_the_code_is_fresh(client, enrolled,
                                                                       fresh_app):
    browser = fresh_app.test_client()
    token = csrf(browser, "/recover")
    response = browser.post("/recover", data={"csrf_token": token,
                                              "national_id": enrolled.national_id,
                                              "code": enrolled.codes[0]})
    assert response.status_code == 303
    assert _add_passkey(browser, SoftwareAuthenticator()).status_code == 200

    later = fresh_app.test_client()
    token = csrf(later, "/recover")
    later.post("/recover", data={"csrf_token": token, "national_id": enrolled.national_id,
                                 "code": enrolled.codes[1]})
    age_session(later, STALE)
    refused = _add_passkey(later, SoftwareAuthenticator())
    assert refused.status_code == 403
    body = refused.get_json()
    assert body["error"] == "reauthentication_required"
    assert body["reauth_uri"] == "/recover"  # no passkey to re-check with: another code
    assert "otro código de recuperación" in body["error_description"]


@pytest.mark.parametrize(("sections", "message"), [
    ({"consent": {"reauth_seconds": 600}}, "consent.reauth_seconds has moved to account"),
    ({"account": {"reauth_seconds": 5}}, "account.reauth_seconds must be a whole number"),
    ({"account": {"reauth_seconds": "300"}}, "account.reauth_seconds must be a whole number"),
])
def test_settings_are_checked(sections, message):
    from idp.account.settings import load
    from infra.config import ConfigError

    settings = {"account": {"reauth_seconds": 300}, "consent": {}, "recovery": {"codes": 10}}
    for section, values in sections.items():
        settings[section] = {**settings[section], **values}
    with pytest.raises(ConfigError, match=message):
        load(settings)
    assert load({"account": {"reauth_seconds": 300}, "recovery": {"codes": 10}}).reauth_seconds == 300


def test_finishing_an_added_passkey_rechecks_that_the_session_is_still_fresh(client, enrolled):
    """Options fetched while fresh, the answer sent after the re-check window closed (a copied
    cookie, or a page left open): the finish step refuses too, and nothing is added."""
    options = post_json(client, "/webauthn/registration/options", {})
    assert options.status_code == 200
    age_session(client, STALE)
    late = post_json(client, "/webauthn/registration/verify",
                     SoftwareAuthenticator().register(options.get_json()),
                     headers={"Accept-Language": "en"})
    assert late.status_code == 403
    body = late.get_json()
    assert body["error"] == "reauthentication_required"
    assert body["reauth_uri"] == "/account/reauth?next=/account"
    assert _passkeys(client.application, enrolled.citizen_id) == 1


def test_a_session_checked_with_a_blocked_passkey_is_not_fresh(client):
    """A passkey marked suspect (its counter went back: a clone) ends the sessions checked with
    it; one that started while the signal was being recorded outlives that. Its check was made
    with the blocked passkey, so it is no check for a sensitive action: adding a passkey or
    taking new recovery codes (which end the owner's) first re-checks with another passkey."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from idp.citizens import services
    from tests.idp.conftest import enrol

    first = SoftwareAuthenticator()
    citizen = enrol(client, first)
    spare = SoftwareAuthenticator()
    assert _add_passkey(client, spare).status_code == 200
    assert recheck(client, first).status_code == 200  # the session is checked with `first`
    with get_db(client.application).transaction() as db:
        passkey_id = db.scalar(sa.select(Passkey.id).where(Passkey.credential_id == first.credential_id))
        assert services.mark_suspect(db.connection(), passkey_id=passkey_id, now=datetime.now(UTC))
    codes = _codes(client.application, citizen.citizen_id)

    refused = post_json(client, "/webauthn/registration/options", {})
    assert refused.status_code == 403 and refused.get_json()["error"] == "reauthentication_required"
    page = client.post("/account/recovery-codes", data={"csrf_token": csrf(client, "/account")})
    assert 'id="recheck-resubmit"' in html(page)
    assert _codes(client.application, citizen.citizen_id) == codes
    assert _passkeys(client.application, citizen.citizen_id) == 2

    assert recheck(client, spare).status_code == 200
    assert _add_passkey(client, SoftwareAuthenticator()).status_code == 200
    assert _passkeys(client.application, citizen.citizen_id) == 3
