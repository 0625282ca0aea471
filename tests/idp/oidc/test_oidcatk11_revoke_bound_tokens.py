"""A public client's DPoP-bound tokens cannot be burnt at /revoke by whoever lacks the key.

A single-page app's refresh token is bound to its DPoP key (RFC 9449 section 5) so that a copy
taken from the page (an XSS, a log) is worth nothing without the key, which stays in the
browser. /token keeps to that: a bound refresh token presented without its key is neither
used nor burnt. /revoke did not: a public client authenticates with its client_id alone, so
the thief sent `token=<the stolen refresh token>&client_id=<the app's>` and the citizen's whole
grant was revoked (RFC 7009 section 2.1), and a stolen bound access token likewise. The app
(with its key) still revokes its tokens: a DPoP proof of the key the token is bound to.
"""

from __future__ import annotations

from tests.idp.oidc.conftest import Agency
from tests.idp.oidc.test_dpop import code_tokens, error_of, post_token, userinfo
from tests.support.dpop import DpopKey

REVOKE = "http://localhost/revoke"


def _app(register) -> Agency:
    return register(token_endpoint_auth_method="none", grant_types=["authorization_code", "refresh_token"],
                    scope="openid profile offline_access")


def _revoke(client, agency: Agency, token: str, key: DpopKey | None = None):
    """POST /revoke as the public client, with a proof of `key` (once more with the nonce asked for)."""
    for _ in range(2):
        headers = {"DPoP": key.proof("POST", REVOKE)} if key is not None else {}
        response = client.post("/revoke", data={"token": token, "client_id": agency.client_id}, headers=headers)
        if key is not None and response.status_code == 400 and error_of(response) == "use_dpop_nonce":
            key.remember(response)
            continue
        return response
    return response


def _refresh(client, agency: Agency, refresh_token: str, key: DpopKey):
    return post_token(client, agency, {"grant_type": "refresh_token", "refresh_token": refresh_token}, key)


def test_a_stolen_bound_refresh_token_cannot_be_revoked_without_its_key(client, register, citizen):
    agency = _app(register)
    key = DpopKey()
    tokens = code_tokens(client, agency, key, scope="openid offline_access").get_json()
    for thief in (None, DpopKey(nonce=key.nonce)):
        refused = _revoke(client, agency, tokens["refresh_token"], thief)
        assert refused.status_code == 400, refused.get_data(as_text=True)[:300]
        assert error_of(refused) == "invalid_dpop_proof"
        assert "bound to a DPoP key" in refused.get_json()["error_description"]
    # Nothing was revoked: the app's key still refreshes, and its access token still works.
    assert userinfo(client, tokens["access_token"], key).status_code == 200
    refreshed = _refresh(client, agency, tokens["refresh_token"], key)
    assert refreshed.status_code == 200, refreshed.get_json()


def test_the_app_revokes_its_bound_refresh_token_with_its_key(client, register, citizen):
    agency = _app(register)
    key = DpopKey()
    tokens = code_tokens(client, agency, key, scope="openid offline_access").get_json()
    assert _revoke(client, agency, tokens["refresh_token"], key).status_code == 200
    gone = _refresh(client, agency, tokens["refresh_token"], key)
    assert gone.status_code == 400 and error_of(gone) == "invalid_grant"


def test_a_stolen_bound_access_token_cannot_be_revoked_without_its_key(client, register, citizen):
    agency = _app(register)
    key = DpopKey()
    access = code_tokens(client, agency, key, scope="openid profile").get_json()["access_token"]
    for thief in (None, DpopKey(nonce=key.nonce)):
        refused = _revoke(client, agency, access, thief)
        assert refused.status_code == 400 and error_of(refused) == "invalid_dpop_proof"
    assert userinfo(client, access, key).status_code == 200
    assert _revoke(client, agency, access, key).status_code == 200
    assert userinfo(client, access, key).status_code == 401


def test_unbound_tokens_and_other_clients_tokens_are_answered_as_before(client, register, citizen):
    agency = _app(register)
    plain = code_tokens(client, agency, None, scope="openid offline_access").get_json()
    assert _revoke(client, agency, plain["refresh_token"]).status_code == 200  # no key to prove
    other = _app(register)
    bound = code_tokens(client, agency, DpopKey(), scope="openid offline_access").get_json()
    # Another client learns nothing of the token (RFC 7009 section 2.2): 200, as for any other.
    assert _revoke(client, other, bound["refresh_token"]).status_code == 200
