"""A grant revoked because a spent refresh token was presented again (RFC 9700 4.14.2): the
agency is logged out of the session its tokens came from, as for a replayed code."""

from __future__ import annotations

from tests.idp.logout.test_backchannel import sign_out, verified
from tests.idp.oidc.conftest import claims_of, get_code, token_request
from tests.idp.oidc.conftest import exchange as redeem


def _offline(register, receiver, name: str, *, session_required: bool = True):
    return register(client_name=f"Agencia {name}", backchannel_logout_uri=receiver.uri(name),
                    backchannel_logout_session_required=session_required,
                    grant_types=["authorization_code", "refresh_token"],
                    scope="openid profile offline_access")


def _refresh(client, agency, refresh_token: str):
    return token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def _reused(client, agency) -> dict:
    """Sign in with offline access, refresh once, then present the spent refresh token again."""
    code, flow = get_code(client, agency, scope="openid offline_access", prompt="consent")
    first = redeem(client, agency, code, flow).get_json()
    rotated = _refresh(client, agency, first["refresh_token"])
    assert rotated.status_code == 200, rotated.get_json()
    again = _refresh(client, agency, first["refresh_token"])
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    assert "reuse" in again.get_json()["error_description"]
    assert _refresh(client, agency, first["refresh_token"]).status_code == 400  # and again
    # The whole grant is revoked: the rotated refresh token is dead too.
    assert _refresh(client, agency, rotated.get_json()["refresh_token"]).status_code == 400
    return claims_of(first["id_token"])


def test_an_agency_whose_refresh_token_was_reused_is_logged_out_of_that_session(client, citizen, register,
                                                                               receiver, worker):
    """One logout token naming the grant's sid and the agency's sub, however often the spent
    token is presented; the session's end later does not tell it again (its grant is revoked)."""
    agency = _offline(register, receiver, "a")
    first = _reused(client, agency)
    assert worker.run_once() == {"expanded": 1, "delivered": 1}
    [token] = receiver.tokens("a")
    claims = verified(client, token)
    assert claims["sid"] == first["sid"] and claims["sub"] == first["sub"]
    assert claims["aud"] == agency.client_id
    sign_out(client)
    worker.run_once()
    assert len(receiver.tokens("a")) == 1


def test_an_agency_not_needing_sid_is_told_which_session(client, citizen, register, receiver, worker):
    agency = _offline(register, receiver, "b", session_required=False)
    first = _reused(client, agency)
    worker.run_once()
    [token] = receiver.tokens("b")
    assert verified(client, token)["sid"] == first["sid"]


def test_other_agencies_of_the_session_are_not_told(client, citizen, register, receiver, worker):
    """Only the agency whose tokens were revoked: the SSO session and its other agencies go on."""
    agency = _offline(register, receiver, "a")
    other = _offline(register, receiver, "b")
    code, flow = get_code(client, other, scope="openid offline_access", prompt="consent")
    assert redeem(client, other, code, flow).status_code == 200
    _reused(client, agency)
    worker.run_once()
    assert len(receiver.tokens("a")) == 1 and receiver.tokens("b") == []


def test_a_reuse_after_the_session_ended_tells_no_one_again(client, citizen, register, receiver, worker):
    """The session's end told the agency already (and its refresh tokens outlive the session)."""
    agency = _offline(register, receiver, "a")
    code, flow = get_code(client, agency, scope="openid offline_access", prompt="consent")
    first = redeem(client, agency, code, flow).get_json()
    assert _refresh(client, agency, first["refresh_token"]).status_code == 200
    sign_out(client)
    worker.run_once()
    assert len(receiver.tokens("a")) == 1  # the sign-out's
    assert _refresh(client, agency, first["refresh_token"]).status_code == 400
    assert worker.run_once() == {}
    assert len(receiver.tokens("a")) == 1
