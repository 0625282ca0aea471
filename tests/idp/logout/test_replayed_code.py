"""A grant revoked because its code was presented twice: the agency is logged out of its session."""

from __future__ import annotations

from tests.idp.logout.test_backchannel import sign_out, verified
from tests.idp.oidc.conftest import claims_of, exchange, get_code


def _replayed(client, agency) -> dict:
    code, flow = get_code(client, agency)
    first = exchange(client, agency, code, flow).get_json()
    again = exchange(client, agency, code, flow)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    return claims_of(first["id_token"])


def test_an_agency_whose_code_was_replayed_is_logged_out_of_that_session(client, citizen, agencies,
                                                                         receiver, worker):
    """Its grant is revoked (RFC 6749 4.1.2), but the agency's session built on the first use's ID
    token lives on: a logout token naming that sid and sub tells it, once, however often the code
    is replayed; the session's end later does not tell it again (its grant is revoked)."""
    first = _replayed(client, agencies["a"])
    assert worker.run_once() == {"expanded": 1, "delivered": 1}
    [token] = receiver.tokens("a")
    claims = verified(client, token)
    assert claims["sid"] == first["sid"] and claims["sub"] == first["sub"]
    sign_out(client)
    worker.run_once()
    assert len(receiver.tokens("a")) == 1


def test_an_agency_not_needing_sid_is_still_told_which_session(client, citizen, agencies, receiver, worker):
    """Not a sub-only token (which would end every session of the citizen at the agency): the
    replayed code's session only."""
    first = _replayed(client, agencies["b"])
    worker.run_once()
    [token] = receiver.tokens("b")
    assert verified(client, token)["sid"] == first["sid"]


def test_a_replay_after_the_session_ended_tells_no_one_again(client, citizen, agencies, receiver, worker):
    code, flow = get_code(client, agencies["a"])
    assert exchange(client, agencies["a"], code, flow).status_code == 200
    sign_out(client)
    worker.run_once()
    assert len(receiver.tokens("a")) == 1  # the sign-out's
    assert exchange(client, agencies["a"], code, flow).status_code == 400
    assert worker.run_once() == {}
    assert len(receiver.tokens("a")) == 1
