"""A leaked authorization code cannot be burnt by someone who lacks what its exchange needs
(issue 16 review): a code presented by another client, with a wrong PKCE code_verifier or with
another redirect_uri is refused without being taken, so the rightful agency's exchange still
succeeds, and nothing is revoked. A code presented twice by its rightful client is still a
replay (RFC 6749 section 4.1.2)."""

from __future__ import annotations

import secrets

from tests.idp.oidc.conftest import bearer, exchange, get_code

DESCRIBED = ("the authorization code is not valid for this request: it has expired, was already used, "
             "or was issued to another client, for another redirect_uri or for another code_challenge "
             "(code_verifier)")


def _refused(response) -> None:
    assert response.status_code == 400, response.get_json()
    assert response.get_json() == {"error": "invalid_grant", "error_description": DESCRIBED}


def test_another_client_cannot_burn_the_code(client, register, citizen):
    agency, other = register(), register()
    code, flow = get_code(client, agency)
    _refused(exchange(client, other, code, flow))
    answer = exchange(client, agency, code, flow)
    assert answer.status_code == 200, answer.get_json()
    assert client.get("/userinfo", headers=bearer(answer.get_json()["access_token"])).status_code == 200


def test_a_wrong_code_verifier_cannot_burn_the_code(client, register, citizen):
    agency = register()
    code, flow = get_code(client, agency)
    _refused(exchange(client, agency, code, flow, code_verifier=secrets.token_urlsafe(48)))
    answer = exchange(client, agency, code, flow)
    assert answer.status_code == 200, answer.get_json()


def test_another_redirect_uri_cannot_burn_the_code(client, register, citizen):
    agency = register()
    code, flow = get_code(client, agency)
    _refused(exchange(client, agency, code, flow, redirect_uri="https://portal.example.gov/other"))
    answer = exchange(client, agency, code, flow)
    assert answer.status_code == 200, answer.get_json()


def test_a_spent_code_presented_by_someone_else_revokes_nothing(client, register, citizen):
    agency, other = register(), register()
    code, flow = get_code(client, agency)
    first = exchange(client, agency, code, flow).get_json()
    _refused(exchange(client, other, code, flow))
    _refused(exchange(client, agency, code, flow, code_verifier=secrets.token_urlsafe(48)))
    assert client.get("/userinfo", headers=bearer(first["access_token"])).status_code == 200
    # The rightful client presenting it again: a replay, whose tokens are revoked.
    again = exchange(client, agency, code, flow)
    assert "already used" in again.get_json()["error_description"]
    assert client.get("/userinfo", headers=bearer(first["access_token"])).status_code == 401


def test_a_missing_redirect_uri_is_named_and_burns_nothing(client, register, citizen):
    agency = register()
    code, flow = get_code(client, agency)
    response = exchange(client, agency, code, flow, redirect_uri=None)
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_grant", "error_description": (
        "redirect_uri is required: the one of the authorization request (RFC 6749 section 4.1.3)")}
    assert exchange(client, agency, code, flow).status_code == 200


def test_a_proof_of_another_dpop_key_cannot_burn_a_bound_code(client, register, citizen):
    from tests.idp.oidc.test_dpop import code_form, post_token
    from tests.support.dpop import DpopKey

    agency = register()
    key, other = DpopKey(), DpopKey()
    form = code_form(client, agency, dpop_jkt=key.jkt)
    for wrong in (other, None):  # another key's proof, or none: refused, nothing taken
        refused = post_token(client, agency, form, wrong)
        assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_dpop_proof"
        assert "dpop_jkt" in refused.get_json()["error_description"]
    answer = post_token(client, agency, form, key)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["token_type"] == "DPoP"
    # Its key presenting it again: a replay, found under the key the code was bound to.
    again = post_token(client, agency, form, key)
    assert "already used" in again.get_json()["error_description"]
