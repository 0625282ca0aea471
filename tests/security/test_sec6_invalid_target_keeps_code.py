"""A code exchange refused with invalid_target (RFC 8707 section 2.2) takes nothing: the
resource is an error of the token request, not of the code, so the agency's corrected request
(a resource its authorization allows, or none) still redeems the code, and nothing is revoked.

Before, the code was taken first and the resource checked after: the refused request spent
it, and the corrected one was answered "the authorization code was already used; the tokens
issued for it are revoked" (no tokens had been issued). A code presented again after it was
redeemed is still a replay that revokes (RFC 6749 section 4.1.2)."""

from __future__ import annotations

import secrets

import pytest

from tests.idp.oidc.conftest import bearer, claims_of, exchange, get_code
from tests.security.conftest import API_A, API_B


@pytest.fixture
def portal(agency_with_apis):
    """An agency that may ask for tokens for API_A (and API_B, which accepts only `email`)."""
    return agency_with_apis({API_A: ("Declaraciones", ["openid", "profile"]), API_B: ("Partidas", ["email"])})


def _invalid_target(response, reason: str) -> None:
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "invalid_target"
    assert reason in response.get_json()["error_description"]


@pytest.mark.parametrize(("resource", "reason"), [
    ("https://unknown.example.gov/api", "not a resource registered"),
    (API_B, "none of the scopes"),  # the grant (openid profile) holds nothing API_B accepts
])
def test_a_refused_resource_leaves_the_code_usable(client, portal, citizen, resource, reason):
    code, flow = get_code(client, portal, scope="openid profile")
    _invalid_target(exchange(client, portal, code, flow, resource=resource), reason)
    answer = exchange(client, portal, code, flow, resource=API_A)
    assert answer.status_code == 200, answer.get_json()
    assert claims_of(answer.get_json()["access_token"])["aud"] == API_A


def test_a_resource_the_authorization_did_not_name_leaves_the_code_usable(client, portal, citizen):
    code, flow = get_code(client, portal, resource=API_A)
    _invalid_target(exchange(client, portal, code, flow, resource=API_B), "not among the resources")
    _invalid_target(exchange(client, portal, code, flow, resource="http://localhost"), "not among the resources")
    answer = exchange(client, portal, code, flow)
    assert answer.status_code == 200, answer.get_json()
    assert claims_of(answer.get_json()["access_token"])["aud"] == API_A


def test_a_code_taken_after_a_refusal_is_still_single_use(client, portal, citizen):
    code, flow = get_code(client, portal)
    _invalid_target(exchange(client, portal, code, flow, resource="https://unknown.example.gov/api"),
                    "not a resource registered")
    first = exchange(client, portal, code, flow).get_json()
    assert client.get("/userinfo", headers=bearer(first["access_token"])).status_code == 200
    again = exchange(client, portal, code, flow)
    assert "already used" in again.get_json()["error_description"]
    assert client.get("/userinfo", headers=bearer(first["access_token"])).status_code == 401
    # ... and, used up, a wrong resource does not tell it apart from a code never issued.
    again = exchange(client, portal, code, flow, resource="https://unknown.example.gov/api")
    assert again.get_json()["error"] == "invalid_grant"


def test_a_wrong_resource_with_a_wrong_verifier_is_answered_for_the_code(client, portal, citizen):
    """What the code's exchange needs is checked first: a request that would find no code is
    invalid_grant whatever its resource (a stranger learns nothing of the resources)."""
    code, flow = get_code(client, portal)
    refused = exchange(client, portal, code, flow, resource="https://unknown.example.gov/api",
                       code_verifier=secrets.token_urlsafe(48))
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_grant"
    assert exchange(client, portal, code, flow).status_code == 200


def test_peek_reads_the_code_without_taking_it(oidc_app):
    from idp.oidc import codes
    from infra.store import get_store

    store = get_store(oidc_app)
    grant = codes.CodeGrant(grant_id="g", client_id="c", redirect_uri="https://r.example/cb", code_challenge="x",
                            citizen_id="z", scopes=["openid"], claims={}, nonce=None, sid="s", auth_time=1, acr="a",
                            amr=[], issued_at=1.0, resources=["https://api.example.gov"])
    code = codes.issue(store, grant, ttl=60)
    bound = dict(client_id="c", redirect_uri="https://r.example/cb", challenge="x")
    assert codes.peek(store, code, **bound) == grant
    assert codes.peek(store, code, **{**bound, "client_id": "other"}) is None
    assert codes.peek(store, code, **bound) == grant  # peeked twice: still there
    taken = codes.redeem(store, code, replay_ttl=60, **bound)
    assert taken.grant == grant and taken.replayed_grant_id is None
    assert codes.peek(store, code, **bound) is None
