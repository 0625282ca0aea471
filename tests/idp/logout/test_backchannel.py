"""Back-Channel Logout 1.0: logout tokens, who receives them, delivery with retries, expiry."""

from __future__ import annotations

import logging
import re
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from idp.logout import get_logout
from idp.logout.backchannel import EVENT, logout_token_claims
from infra.config import get_settings
from tests.idp.conftest import sign_in
from tests.idp.oidc.conftest import claims_of, header_of, tokens_for
from tests.support.authenticator import SoftwareAuthenticator


def csrf_of(client) -> str:
    html = client.get("/account").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_out(client) -> None:
    response = client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert response.status_code == 303


def verified(client, token: str) -> dict:
    """The claims of a logout token whose signature holds against the provider's /jwks.json."""
    keys = KeySet.import_key_set(client.get("/jwks.json").get_json())
    return dict(jwt.decode(token, keys, algorithms=["ES256", "RS256"]).claims)


def test_logout_token_claims_follow_section_2_4():
    claims = logout_token_claims(issuer="https://id.example", client_id="c1", sub="s", sid="x",
                                 now=1000, lifetime=120)
    assert set(claims) == {"iss", "aud", "iat", "exp", "jti", "events", "sub", "sid"}
    assert claims["events"] == {EVENT: {}}
    assert claims["exp"] == 1120 and claims["aud"] == "c1"
    assert "sid" not in logout_token_claims(issuer="i", client_id="c", sub="s", sid=None, now=1, lifetime=10)
    with pytest.raises(ValueError, match="sub, a sid, or both"):
        logout_token_claims(issuer="i", client_id="c", sub=None, sid=None, now=1, lifetime=10)


def test_signing_out_tells_every_agency_of_the_session(client, citizen, agencies, receiver, worker):
    issued = {name: tokens_for(client, agencies[name]) for name in ("a", "b", "quiet")}
    signing_out = int(time.time())
    sign_out(client)
    assert receiver.received == []  # nothing is sent inside the citizen's request
    tally = worker.run_once()
    assert tally == {"expanded": 1, "delivered": 2}
    assert {r["path"] for r in receiver.received} == {"/a/backchannel-logout", "/b/backchannel-logout"}
    jtis = set()
    for name in ("a", "b"):
        [token] = receiver.tokens(name)
        id_claims = claims_of(issued[name]["id_token"])
        header = header_of(token)
        assert header["typ"] == "logout+jwt"
        assert header["alg"] == ("RS256" if name == "b" else "ES256")
        claims = verified(client, token)
        now = time.time()
        assert claims["iss"] == "http://localhost"
        assert claims["aud"] == agencies[name].client_id
        assert claims["sub"] == id_claims["sub"] and claims["sid"] == id_claims["sid"]
        assert claims["events"] == {EVENT: {}}
        # Made between the sign-out and now (not "within 30 s of now": a bound a busy machine can pass).
        assert signing_out <= claims["iat"] <= now + 1 and claims["exp"] - claims["iat"] == 120
        assert "nonce" not in claims
        jtis.add(claims["jti"])
    assert len(jtis) == 2
    [request] = receiver.received[:1]
    assert request["method"] == "POST"
    assert request["content_type"].startswith("application/x-www-form-urlencoded")
    assert worker.run_once() == {}  # nothing left


def test_only_agencies_of_the_ended_session_are_told(client, fresh_app, citizen, agencies, receiver, worker):
    tokens_for(client, agencies["a"])
    other = fresh_app.test_client()  # the same citizen in another browser, signed in to B there
    assert sign_in(other, citizen.key).status_code == 200
    tokens_for(other, agencies["b"])
    sign_out(client)
    worker.run_once()
    assert [r["path"] for r in receiver.received] == ["/a/backchannel-logout"]


def test_a_dead_agency_is_retried_then_given_up_without_holding_up_anyone(
        client, citizen, register, receiver, dead_uri, worker, caplog):
    dead = register(client_name="Caída", backchannel_logout_uri=dead_uri)
    alive = register(client_name="Viva", backchannel_logout_uri=receiver.uri("alive"))
    tokens_for(client, dead)
    tokens_for(client, alive)
    sign_out(client)
    # Not held up by the delivery: signing out only queues it (no agency has been called yet),
    # the worker delivers. (Not timed: a bound on the sign-out's duration failed by chance.)
    assert receiver.received == []
    settings = get_logout(client.application).settings
    caplog.set_level(logging.INFO, logger="idp.logout.backchannel")
    now = time.time()
    assert worker.run_once(now=now) == {"expanded": 1, "delivered": 1, "retry": 1}
    assert len(receiver.tokens("alive")) == 1
    outcomes = ["retry"]
    for attempt in range(1, settings.max_attempts):
        assert worker.run_once(now=now + settings.retry_delay(attempt) - 0.5) == {}  # not yet due
        now += settings.retry_delay(attempt)
        tally = worker.run_once(now=now)
        outcomes += list(tally)
    assert outcomes == ["retry"] * (settings.max_attempts - 1) + ["gave_up"]
    assert worker.run_once(now=now + 10_000) == {}
    attempts = [r for r in caplog.records if getattr(r, "client_id", None) == dead.client_id]
    assert [r.attempt for r in attempts] == list(range(1, settings.max_attempts + 1))
    assert [r.outcome for r in attempts][-1] == "gave_up"
    assert all(r.status is None and r.error.startswith("connect: ") for r in attempts)


def test_errors_and_redirects_are_retried_until_delivered(client, citizen, agencies, receiver, worker):
    tokens_for(client, agencies["a"])
    sign_out(client)
    receiver.status = 302
    now = time.time()
    assert worker.run_once(now=now) == {"expanded": 1, "retry": 1}
    receiver.status = 500
    assert worker.run_once(now=now + 5) == {"retry": 1}
    receiver.status = 204
    assert worker.run_once(now=now + 15) == {"delivered": 1}
    assert [r["path"] for r in receiver.received] == ["/a/backchannel-logout"] * 3  # no redirect followed
    tokens = receiver.tokens("a")
    assert len({verified(client, t)["jti"] for t in tokens}) == 3  # a fresh token each attempt


def test_an_expired_session_logs_the_agencies_out(client, citizen, agencies, receiver, worker, app):
    tokens_for(client, agencies["a"])
    idle = int(get_settings(app)["session"]["idle_seconds"])
    assert worker.run_once(now=time.time() + idle - 60) == {}  # still alive: nothing to say
    tally = worker.run_once(now=time.time() + idle + 5)
    assert tally == {"expired": 1, "expanded": 1, "delivered": 1}
    [token] = receiver.tokens("a")
    assert verified(client, token)["sid"]
    assert worker.run_once(now=time.time() + 50_000) == {}  # announced once


def test_a_session_in_use_is_not_announced_as_expired(client, citizen, agencies, receiver, worker,
                                                      app, monkeypatch):
    tokens_for(client, agencies["a"])
    idle = int(get_settings(app)["session"]["idle_seconds"])
    start = time.time()
    later = start + idle - 100
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/account").status_code == 200  # activity moves the idle end
    monkeypatch.undo()
    assert worker.run_once(now=start + idle + 5) == {}
    assert receiver.received == []
    assert worker.run_once(now=later + idle + 5)["expired"] == 1


def test_a_signed_out_session_is_not_announced_again_when_it_would_have_expired(
        client, citizen, agencies, receiver, worker):
    tokens_for(client, agencies["a"])
    sign_out(client)
    worker.run_once()
    assert worker.run_once(now=time.time() + 100_000) == {}
    assert len(receiver.received) == 1


def test_logout_client_reaches_one_agency_in_each_live_session(client, fresh_app, citizen, agencies,
                                                              receiver, worker):
    from idp.logout import logout_client

    first = claims_of(tokens_for(client, agencies["a"])["id_token"])
    tokens_for(client, agencies["b"])
    other = fresh_app.test_client()
    assert sign_in(other, citizen.key).status_code == 200
    second = claims_of(tokens_for(other, agencies["a"])["id_token"])
    with fresh_app.app_context():
        logout_client(client_id=agencies["a"].client_id, citizen_id=citizen.citizen_id)
        logout_client(client_id=agencies["b"].client_id, citizen_id=citizen.citizen_id)
    worker.run_once()
    sids = sorted(verified(client, t)["sid"] for t in receiver.tokens("a"))
    assert sids == sorted([first["sid"], second["sid"]])
    # B does not need sid: one token naming the subject logs out all its sessions.
    [token] = receiver.tokens("b")
    claims = verified(client, token)
    assert "sid" not in claims and claims["sub"]


def test_a_new_citizen_enrolling_in_the_browser_is_refused_and_logs_no_agency_out(client, citizen, agencies,
                                                                                   receiver, worker):
    """One browser, one citizen (idp.sessions): the new account is refused, not signed in over
    the session, so its agencies are not logged out."""
    from tests.idp.conftest import dui, fields, post_json

    tokens_for(client, agencies["a"])
    options = post_json(client, "/webauthn/registration/options",
                        fields(national_id=dui(11111111), email="otro@example.sv")).get_json()
    refused = post_json(client, "/webauthn/registration/verify", SoftwareAuthenticator().register(options))
    assert refused.status_code == 409 and refused.get_json()["error"] == "account_mismatch"
    assert worker.run_once() == {}
    assert receiver.received == []


def test_a_confirmed_replacement_ends_the_previous_session_with_logout(client, citizen, agencies,
                                                                       receiver, worker):
    """The one replacement of another citizen's session, confirmed by the person (/bind):
    the previous session's agencies are told."""
    from flask import Response

    from idp.sessions import start_session
    from tests.idp.conftest import another_citizen, session_cookie

    first = claims_of(tokens_for(client, agencies["a"])["id_token"])
    _, other = another_citizen(client.application)
    with client.application.test_request_context(headers={"Cookie": f"cedula_session={session_cookie(client)}"}):
        start_session(Response(), citizen_id=other.citizen_id, amr=("otp",), recovery=True, replace_other=True)
    assert worker.run_once() == {"expanded": 1, "delivered": 1}
    [token] = receiver.tokens("a")
    assert verified(client, token)["sid"] == first["sid"]


def test_the_delivery_thread_works_the_queue_by_itself(client, citizen, agencies, receiver, worker):
    tokens_for(client, agencies["a"])
    sign_out(client)
    worker.start()
    try:
        # A cap only (the loop ends at the first token): on a loaded machine an attempt can use
        # its whole delivery budget and the retry comes [logout] retry_seconds later.
        deadline = time.monotonic() + 60
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert len(receiver.tokens("a")) == 1


def test_an_agency_whose_access_was_withdrawn_is_not_told_when_the_session_ends(
        client, citizen, agencies, receiver, worker):
    """Withdrawing an agency's access logs it out then (and only then): when the session ends
    later, it is not told of the citizen's activity after the withdrawal; the others are."""
    from tests.idp.oidc.test_standing import withdraw

    tokens_for(client, agencies["a"])
    tokens_for(client, agencies["b"])
    withdraw(client, agencies["a"])
    assert worker.run_once() == {"expanded": 1, "delivered": 1}  # the withdrawal's own logout
    assert len(receiver.tokens("a")) == 1
    sign_out(client)
    assert worker.run_once() == {"expanded": 1, "delivered": 1}
    assert len(receiver.tokens("a")) == 1  # nothing more to A
    assert len(receiver.tokens("b")) == 1


def test_an_agency_signed_in_to_again_after_withdrawal_is_told(client, citizen, agencies, receiver, worker):
    """A new sign-in (with consent given again) in the same session is a live grant: that one
    is logged out when the session ends."""
    from tests.idp.oidc.test_standing import withdraw

    tokens_for(client, agencies["a"])
    withdraw(client, agencies["a"])
    worker.run_once()
    again = claims_of(tokens_for(client, agencies["a"])["id_token"])
    sign_out(client)
    assert worker.run_once() == {"expanded": 1, "delivered": 1}
    assert verified(client, receiver.tokens("a")[-1])["sid"] == again["sid"]


def test_signing_out_right_after_withdrawing_still_logs_the_agency_out_once(client, citizen, agencies,
                                                                            receiver, worker):
    """The withdrawal's logout names the sessions live when it was asked for: the session
    ending before the queue is worked does not lose it (nor send A a second token)."""
    from tests.idp.oidc.test_standing import withdraw

    first = claims_of(tokens_for(client, agencies["a"])["id_token"])
    withdraw(client, agencies["a"])
    sign_out(client)
    worker.run_once()
    [token] = receiver.tokens("a")
    assert verified(client, token)["sid"] == first["sid"]
