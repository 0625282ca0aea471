"""Passkey sign-in over HTTP, and every assertion that must be refused."""

from __future__ import annotations

import time

from idp.citizens.models import Passkey
from idp.sessions import session_policy
from infra.db import get_db
from infra.store import get_store
from tests.idp.conftest import dui, enrol, post_json, registration_options, sign_in, sign_in_options
from tests.support.authenticator import SoftwareAuthenticator


def verify(client, response):
    return post_json(client, "/webauthn/authentication/verify", response)


def error_of(response) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data())
    assert response.get_json()["error_description"]
    return response.get_json()["error"]


def fresh(client):
    """Another browser: no session cookie."""
    return client.application.test_client()


def test_request_options_are_usernameless_with_uv_required(client):
    options = sign_in_options(client)
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"
    assert options["rpId"] == "localhost"
    assert options["timeout"] == 300000


def test_sign_in_sets_the_session_cookie_and_records_use(client, enrolled):
    browser = fresh(client)
    response = sign_in(browser, enrolled.key)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok", "redirect": "/account"}
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("cedula_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert browser.get("/account").status_code == 200
    with get_db(client.application).read() as db:
        assert db.query(Passkey).one().last_used_at is not None


def test_every_sign_in_gets_a_new_session_id(client, enrolled):
    browser = fresh(client)
    first = sign_in(browser, enrolled.key).headers["Set-Cookie"].split(";")[0]
    second = sign_in(browser, enrolled.key).headers["Set-Cookie"].split(";")[0]
    assert first != second
    from idp.sessions import records

    store = get_store(client.application)
    policy = session_policy(client.application)
    sessions = records.for_citizen(store, policy, enrolled.citizen_id, time.time())
    # The enrolment browser's session and the second sign-in's; the first one ended.
    assert len(sessions) == 2


def test_replayed_assertion_is_refused(client, enrolled):
    browser = fresh(client)
    assertion = enrolled.key.authenticate(sign_in_options(browser))
    assert verify(browser, assertion).status_code == 200
    assert error_of(verify(fresh(client), assertion)) == "invalid_challenge"


def test_assertion_for_another_challenge_is_refused(client, enrolled):
    sign_in_options(client)
    assertion = enrolled.key.authenticate({"challenge": "B" * 43})
    assert error_of(verify(fresh(client), assertion)) == "invalid_challenge"


def test_registration_challenge_cannot_sign_in(client, enrolled):
    options = registration_options(fresh(client), {"given_name": "X", "family_name": "Y",
                                                   "birthdate": "1990-01-01",
                                                   "national_id": dui(7), "email": "x@example.sv"})
    assertion = enrolled.key.authenticate({"challenge": options["challenge"]})
    assert error_of(verify(fresh(client), assertion)) == "invalid_challenge"


def test_challenge_expires(client, enrolled, monkeypatch):
    options = sign_in_options(client)
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    assert error_of(verify(client, enrolled.key.authenticate(options))) == "challenge_expired"


def test_wrong_origin_is_refused(client, enrolled):
    assertion = enrolled.key.authenticate(sign_in_options(client), origin="http://localhost:8080")
    assert error_of(verify(client, assertion)) == "invalid_origin"


def test_wrong_rp_id_is_refused(client, enrolled):
    assertion = enrolled.key.authenticate(sign_in_options(client), rp_id="example.com")
    assert error_of(verify(client, assertion)) == "invalid_rp_id"


def test_user_verification_is_required(client, enrolled):
    assertion = enrolled.key.authenticate(sign_in_options(client), uv=False)
    assert error_of(verify(fresh(client), assertion)) == "user_verification_required"


def test_unknown_credential_is_refused(client, enrolled):
    stranger = SoftwareAuthenticator(user_handle=enrolled.key.user_handle)
    assert error_of(sign_in(fresh(client), stranger)) == "unknown_credential"


def test_bad_signature_is_refused(client, enrolled):
    impostor = SoftwareAuthenticator(credential_id=enrolled.key.credential_id,
                                     user_handle=enrolled.key.user_handle)
    assert error_of(sign_in(fresh(client), impostor)) == "invalid_credential"


def test_user_handle_must_match(client, enrolled):
    response = sign_in(fresh(client), enrolled.key, user_handle=b"\x01" * 32)
    assert error_of(response) == "invalid_credential"


def test_missing_user_handle_is_refused(client, enrolled):
    options = sign_in_options(client)
    assertion = enrolled.key.authenticate(options)
    assertion["response"]["userHandle"] = None
    assert error_of(verify(client, assertion)) == "invalid_credential"


def test_sign_count_must_grow_when_used(client):
    key = SoftwareAuthenticator(counter_step=1)
    enrol(client, key)
    assert sign_in(fresh(client), key).status_code == 200  # count 1
    assert sign_in(fresh(client), key).status_code == 200  # count 2
    assert error_of(sign_in(fresh(client), key, sign_count=2)) == "sign_count_regression"
    # From then on the passkey is suspect (a clone signal): refused whatever its counter.
    assert error_of(sign_in(fresh(client), key, sign_count=10)) == "credential_suspect"


def test_a_counter_regression_marks_the_passkey_suspect_and_tells_the_citizen(client):
    """A clone that signed in first (higher counter) must not win silently: when the genuine
    authenticator then shows a lower counter, the passkey is refused from then on, the clone
    too, and the citizen's sign-in history says so."""
    from idp.account.models import SignIn

    genuine = SoftwareAuthenticator(counter_step=1)
    enrolled = enrol(client, genuine)
    spare = SoftwareAuthenticator()  # the citizen's other passkey
    options = post_json(client, "/webauthn/registration/options", {}).get_json()
    assert post_json(client, "/webauthn/registration/verify", spare.register(options)).status_code == 200
    clone = SoftwareAuthenticator(credential_id=genuine.credential_id, private_key=genuine.private_key,
                                  user_handle=genuine.user_handle, sign_count=5, counter_step=1)
    clone_browser = fresh(client)
    assert sign_in(clone_browser, clone).status_code == 200  # count 6: the clone went first
    assert clone_browser.get("/account").status_code == 200
    assert error_of(sign_in(fresh(client), genuine)) == "sign_count_regression"  # count 2
    assert clone_browser.get("/account").status_code in (302, 303)  # its session ended
    assert error_of(sign_in(fresh(client), clone)) == "credential_suspect"  # count 7
    with get_db(client.application).read() as db:
        passkey = db.query(Passkey).filter_by(credential_id=genuine.credential_id).one()
        assert passkey.suspect_since is not None
        kinds = [e.kind for e in db.query(SignIn).filter_by(citizen_id=passkey.citizen_id)]
    assert "clone_suspected" in kinds
    citizen = fresh(client)
    assert sign_in(citizen, spare).status_code == 200
    page = citizen.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Passkey blocked: it looks copied" in page
    assert enrolled.citizen_id


def test_a_forged_assertion_with_a_low_counter_does_not_block_the_passkey(client):
    """Only a valid signature is a clone signal: anyone who knows a credential id must not be
    able to block it with a made-up assertion."""
    key = SoftwareAuthenticator(counter_step=1)
    enrol(client, key)
    assert sign_in(fresh(client), key).status_code == 200  # count 1
    options = sign_in_options(client)
    forged = key.authenticate(options, sign_count=0)
    forged["response"]["signature"] = forged["response"]["signature"][:-8] + "AAAAAAAA"
    assert error_of(verify(fresh(client), forged)) in ("invalid_credential", "sign_count_regression")
    assert sign_in(fresh(client), key).status_code == 200


def test_zero_counters_are_accepted(client, enrolled):
    for _ in range(3):
        assert sign_in(fresh(client), enrolled.key, sign_count=0).status_code == 200


def test_backup_state_without_eligibility_is_refused(client, enrolled):
    response = sign_in(fresh(client), enrolled.key, bs=True, be=False)
    assert error_of(response) == "invalid_credential"


def test_a_device_bound_passkey_that_turns_backup_eligible_is_refused(client, enrolled):
    """W3C WebAuthn Level 3, section 7.2, step 18: backup eligibility is fixed when the
    credential is created, and the level of assurance rests on it (a device-bound passkey can
    reach high, a synced one never does). An assertion whose BE flag differs from the stored
    one is not the credential registered (its key may now be copied to other devices)."""
    assert error_of(sign_in(fresh(client), enrolled.key, be=True)) == "invalid_credential"
    assert error_of(sign_in(fresh(client), enrolled.key, be=True, bs=True)) == "invalid_credential"
    assert sign_in(fresh(client), enrolled.key).status_code == 200


def test_a_synced_passkey_that_says_device_bound_is_refused(client):
    key = SoftwareAuthenticator(backup_eligible=True, backed_up=True)
    enrol(client, key)
    assert error_of(sign_in(fresh(client), key, be=False, bs=False)) == "invalid_credential"
    assert sign_in(fresh(client), key).status_code == 200
    assert sign_in(fresh(client), key, bs=False).status_code == 200  # backup state may change


def test_deleted_passkey_cannot_sign_in(client, enrolled):
    with get_db(client.application).transaction() as db:
        db.query(Passkey).delete()
    assert error_of(sign_in(fresh(client), enrolled.key)) == "unknown_credential"


def test_malformed_signature_is_a_4xx(client, enrolled):
    assertion = enrolled.key.authenticate(sign_in_options(client))
    assertion["response"]["signature"] = "AAAA"
    assert error_of(verify(client, assertion)) == "invalid_credential"


def test_malformed_authenticator_data_is_a_4xx(client, enrolled):
    assertion = enrolled.key.authenticate(sign_in_options(client))
    assertion["response"]["authenticatorData"] = "AAAA"
    assert error_of(verify(client, assertion)) == "invalid_credential"


def test_client_data_that_is_not_json_is_a_4xx(client, enrolled):
    assertion = enrolled.key.authenticate(sign_in_options(client))
    assertion["response"]["clientDataJSON"] = "bm90IGpzb24"
    assert error_of(verify(client, assertion)) == "invalid_request"


def test_a_database_that_fails_mid_sign_in_is_a_503_and_changes_nothing(client, enrolled,
                                                                         monkeypatch):
    """The sign-in's one transaction (a plain connection) rolls back as a whole: the sign count
    moved by the UPDATE is not kept when the history's INSERT finds the database locked, and
    the answer is 503 with Retry-After (infra.web.errors), no session."""
    import sqlite3

    import sqlalchemy as sa

    from idp.account import sign_ins

    with get_db(client.application).read() as db:
        before = db.execute(sa.select(Passkey.sign_count, Passkey.last_used_at)).one()

    def locked(*_args, **_kwargs):
        raise sa.exc.OperationalError("INSERT INTO sign_ins", {},
                                      sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(sign_ins, "_add", locked)
    browser = fresh(client)
    response = sign_in(browser, enrolled.key)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "Set-Cookie" not in response.headers
    with get_db(client.application).read() as db:
        assert db.execute(sa.select(Passkey.sign_count, Passkey.last_used_at)).one() == before
    monkeypatch.undo()
    assert sign_in(browser, enrolled.key).status_code == 200
    with get_db(client.application).read() as db:
        assert db.execute(sa.select(Passkey.sign_count, Passkey.last_used_at)).one() != before


def test_the_citizen_can_accept_a_blocked_passkey_again(client):
    """Every copy is theirs (a restored backup): after a fresh check with another passkey the
    citizen accepts it again, and its counter starts afresh."""
    from tests.idp.conftest import csrf

    genuine = SoftwareAuthenticator(counter_step=1)
    enrol(client, genuine)
    spare = SoftwareAuthenticator()
    options = post_json(client, "/webauthn/registration/options", {}).get_json()
    assert post_json(client, "/webauthn/registration/verify", spare.register(options)).status_code == 200
    assert sign_in(fresh(client), genuine, sign_count=5).status_code == 200
    assert error_of(sign_in(fresh(client), genuine, sign_count=3)) == "sign_count_regression"
    citizen = fresh(client)
    assert sign_in(citizen, spare).status_code == 200
    page = citizen.get("/account").get_data(as_text=True)
    assert 'class="passkey-suspect' in page
    trusted = citizen.post(f"/account/passkeys/{genuine.credential_id_b64}/trust",
                           data={"csrf_token": csrf(citizen, "/account")})
    assert trusted.status_code == 303 and trusted.headers["Location"] == "/account?done=trusted"
    assert 'class="passkey-suspect' not in citizen.get("/account").get_data(as_text=True)
    assert sign_in(fresh(client), genuine, sign_count=4).status_code == 200


def test_a_session_checked_with_the_blocked_passkey_cannot_accept_it_again(client):
    """Accepting a blocked passkey again takes a fresh check with *another* passkey: the one
    blocked may be the clone's. A session still checked with it (one that started while the
    clone signal was being recorded, after its sessions were ended) is sent to the re-check
    page, and the passkey stays blocked; after a check with another passkey it goes on."""
    import sqlalchemy as sa

    from idp.citizens import services
    from tests.idp.conftest import csrf, recheck

    genuine = SoftwareAuthenticator(counter_step=1)
    enrol(client, genuine)
    spare = SoftwareAuthenticator()
    options = post_json(client, "/webauthn/registration/options", {}).get_json()
    assert post_json(client, "/webauthn/registration/verify", spare.register(options)).status_code == 200
    clone = fresh(client)
    assert sign_in(clone, genuine, sign_count=5).status_code == 200
    from datetime import UTC, datetime

    with get_db(client.application).transaction() as db:
        passkey_id = db.scalar(sa.select(Passkey.id).where(
            Passkey.credential_id == genuine.credential_id))
        assert services.mark_suspect(db.connection(), passkey_id=passkey_id, now=datetime.now(UTC))
    action = f"/account/passkeys/{genuine.credential_id_b64}/trust"
    refused = clone.post(action, data={"csrf_token": csrf(clone, "/account")})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="recheck-resubmit"' in body and f'action="{action}"' in body
    with get_db(client.application).read() as db:
        assert db.scalar(sa.select(Passkey.suspect_since).where(
            Passkey.credential_id == genuine.credential_id)) is not None
    assert recheck(clone, spare).status_code == 200
    trusted = clone.post(action, data={"csrf_token": csrf(clone, "/account")})
    assert trusted.status_code == 303 and trusted.headers["Location"] == "/account?done=trusted"
