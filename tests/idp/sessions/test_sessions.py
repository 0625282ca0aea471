"""SSO sessions: cookie attributes, lifetimes, refresh, listing and ending."""

from __future__ import annotations

import dataclasses
import time

from idp.sessions import records, session_policy
from infra.store import get_store
from tests.idp.conftest import csrf, fields, post_json, sign_in
from tests.support.authenticator import SoftwareAuthenticator


def policy(app):
    return session_policy(app)


def store(app):
    return get_store(app)


def test_store_keeps_only_a_keyed_hash_of_the_token(client, enrolled):
    token = client.get_cookie("cedula_session").value
    assert len(token) == 43
    ref = records.reference(policy(client.application), token)
    assert store(client.application).get(records.RECORD + ref) is not None
    assert store(client.application).get(records.RECORD + token) is None


def test_session_record_contents(client, enrolled):
    token = client.get_cookie("cedula_session").value
    session = records.load(store(client.application), policy(client.application), token, time.time())
    assert session.citizen_id == enrolled.citizen_id
    assert session.amr == ("hwk", "mfa")
    assert session.credential_id == enrolled.key.credential_id_b64
    assert session.recovery is False
    assert session.expires - session.created == 43200
    assert len(session.sid) == 22


def test_idle_lifetime_ends_the_session(client, enrolled, monkeypatch):
    later = time.time() + 1801
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"


def test_activity_keeps_the_session_alive_but_not_past_the_absolute_end(client, enrolled,
                                                                        monkeypatch):
    start = time.time()
    for step in range(1, 30):  # every 25 minutes for 12 hours
        moment = start + step * 1500
        monkeypatch.setattr(time, "time", lambda moment=moment: moment)
        expected = 200 if step * 1500 < 43200 else 302
        assert client.get("/account").status_code == expected, step


def test_refresh_is_written_at_most_once_a_minute(client, enrolled, monkeypatch):
    token = client.get_cookie("cedula_session").value
    s, p = store(client.application), policy(client.application)
    created = records.load(s, p, token, time.time()).last_seen
    assert records.load(s, p, token, created + 30).last_seen == created
    assert records.load(s, p, token, created + 61).last_seen == created + 61


def test_sessions_for_lists_and_end_session_by_sid(client, enrolled):
    other = client.application.test_client()
    assert sign_in(other, enrolled.key).status_code == 200
    with client.application.test_request_context():
        from idp.sessions import end_session, sessions_for

        sessions = sessions_for(enrolled.citizen_id)
        assert len(sessions) == 2
        end_session(sid=sessions[0].sid)
        assert len(sessions_for(enrolled.citizen_id)) == 1
    assert client.get("/account").status_code == 302
    assert other.get("/account").status_code == 200


def test_sign_out_ends_the_session(client, enrolled):
    token = csrf(client, "/account")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/signed-out?r=")
    assert any(c.startswith("cedula_session=;") for c in response.headers.get_all("Set-Cookie"))
    assert client.get("/account").status_code == 302
    assert records.for_citizen(store(client.application), policy(client.application),
                               enrolled.citizen_id, time.time()) == []


def test_sign_out_needs_csrf(client, enrolled):
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


def test_api_without_session_is_json_401(client):
    response = post_json(client, "/webauthn/registration/options", {})
    assert response.status_code == 401
    assert response.get_json()["error"] == "login_required"


def test_https_cookie_is_host_prefixed_and_secure(https_app):
    client = https_app.test_client()
    key = SoftwareAuthenticator(origin="https://localhost")
    options = post_json(client, "/webauthn/registration/options", fields(),
                        base_url="https://localhost").get_json()
    response = post_json(client, "/webauthn/registration/verify", key.register(options),
                         base_url="https://localhost")
    assert response.status_code == 200, response.get_json()
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-cedula_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Domain" not in cookie and "Path=/" in cookie


def test_pages_without_session_go_to_login_with_next(client):
    response = client.get("/account/recovery-codes")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account/recovery-codes"


def test_a_session_record_round_trips_every_field():
    """to_json names each field (faster than dataclasses.asdict): none may be left out."""
    import dataclasses
    import json

    session = records.SsoSession(sid="s", citizen_id="c", created=1.0, auth_time=2.0, last_seen=3.0,
                                 expires=4.0, amr=("hwk", "mfa"), user_agent="ua", recovery=True,
                                 credential_id="cred", opened_by="1:2:-", pid='{"exp":5}', ref="r")
    raw = session.to_json()
    assert set(json.loads(raw)) == {f.name for f in dataclasses.fields(records.SsoSession)} - {"ref"}
    assert records.SsoSession.from_json(raw, "r") == session
    # Without a recovery generation nor a PID the record is what the previous release wrote and reads.
    plain = dataclasses.replace(session, recovery=False, opened_by=None, pid=None)
    assert "opened_by" not in json.loads(plain.to_json()) and "pid" not in json.loads(plain.to_json())
    assert records.SsoSession.from_json(plain.to_json(), "r") == plain


def test_a_stored_value_is_decoded_once_and_a_changed_one_again(client, enrolled, monkeypatch):
    """The decoded session is kept per stored value (its JSON and reference): read again, the
    same value is not decoded again; a changed record (refreshed, rotated, rewritten
    elsewhere) is decoded as it now is."""
    token = client.get_cookie("cedula_session").value
    s, p = store(client.application), policy(client.application)
    first = records.load(s, p, token, time.time())
    decodes = []
    real = records.SsoSession.from_json.__func__

    def counted(cls, raw, ref):
        decodes.append(raw)
        return real(cls, raw, ref)

    monkeypatch.setattr(records.SsoSession, "from_json", classmethod(counted))
    records._decoded.clear()
    assert records.load(s, p, token, time.time()) == first
    again = records.load(s, p, token, time.time())
    assert again is records.load(s, p, token, time.time()) and len(decodes) == 1
    # Another worker rewrites the record (other amr): the new value is what is read.
    changed = dataclasses.replace(first, amr=("swk", "mfa"))
    s.set(records.RECORD + first.ref, changed.to_json(), 600)
    assert records.load(s, p, token, time.time()).amr == ("swk", "mfa") and len(decodes) == 2
    assert records.by_sid(s, p, first.sid, time.time()).amr == ("swk", "mfa")
    assert len(decodes) == 2
    # A refresh writes a new value and keeps it decoded: the next read decodes nothing.
    refreshed = records.load(s, p, token, first.last_seen + 61)
    assert refreshed.last_seen == first.last_seen + 61 and len(decodes) == 2
    assert records.load(s, p, token, first.last_seen + 62) is refreshed and len(decodes) == 2


def test_the_decoded_sessions_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(records, "DECODED_MAX", 3)
    records._decoded.clear()
    made = [records.SsoSession(sid=f"s{n}", citizen_id="c", created=1.0, auth_time=1.0,
                               last_seen=1.0, expires=2.0, ref=f"r{n}") for n in range(5)]
    for session in made:
        assert records.decoded(session.to_json(), session.ref) == session
    kept = records._decoded
    assert len(kept) == 3 and [ref for _raw, ref in kept] == ["r2", "r3", "r4"]


def test_https_wallet_and_reclaim_cookies_are_host_prefixed(https_app):
    """The cookies that bind a wallet request or a reclaim claim to the browser are `__Host-`
    with an https issuer (no sibling host can plant one), as the session cookie."""
    from flask import Response

    from infra.web.cookies import read_flow_cookie, set_flow_cookie

    with https_app.test_request_context("/", base_url="https://localhost",
                                        headers={"Cookie": "__Host-wallet_signin=kept; wallet_signin=planted"}):
        response = Response()
        set_flow_cookie(response, "wallet_signin", "v", max_age=60, path="/login/wallet")
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("__Host-wallet_signin=v") and "Path=/;" in cookie
        assert "Secure" in cookie and "HttpOnly" in cookie and "Domain" not in cookie
        assert read_flow_cookie("wallet_signin") == "kept"
