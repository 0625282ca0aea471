"""A code exchange that names no `resource` when the authorization named several is refused
with invalid_target (RFC 8707 section 2.2: the provider MAY refuse a request without a
resource; which of the APIs the token is for is the agency's to say, as node-oidc-provider's
"only a single resource indicator value must be requested/resolved" refusal) and the refusal
takes nothing: the corrected request (one of the resources) still redeems the code.

Before, the code was taken first and the ambiguity found after: the refused request spent it,
and the corrected one was answered "the authorization code was already used; the tokens
issued for it are revoked". A code presented again after it was redeemed is still a replay
(RFC 6749 section 4.1.2), with or without a resource."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.idp.oidc.conftest import Flow, authorize_url, claims_of, decide, exchange, redirect_params
from tests.security.conftest import API_A, API_B


@pytest.fixture
def portal(agency_with_apis):
    return agency_with_apis({API_A: ("API", ["openid", "profile"]), API_B: ("API", ["openid", "profile"])})


def _code_for_both(client, agency) -> tuple[str, Flow]:
    flow = Flow()
    response = client.get(authorize_url(agency, flow, resource=API_A) + "&" + urlencode({"resource": API_B}))
    if response.status_code == 200:
        response = decide(client, response)
    return redirect_params(response, agency)["code"], flow


def test_no_resource_for_several_is_refused_and_keeps_the_code(client, portal, citizen):
    code, flow = _code_for_both(client, portal)
    refused = exchange(client, portal, code, flow)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_target"
    assert "name one with resource" in refused.get_json()["error_description"]
    answer = exchange(client, portal, code, flow, resource=API_B)
    assert answer.status_code == 200, answer.get_json()
    assert claims_of(answer.get_json()["access_token"])["aud"] == API_B


def test_the_code_redeemed_for_one_resource_is_still_single_use(client, portal, citizen):
    code, flow = _code_for_both(client, portal)
    assert exchange(client, portal, code, flow, resource=API_A).status_code == 200
    again = exchange(client, portal, code, flow)  # a replay, without a resource this time
    assert again.status_code == 400, again.get_json()
    assert "already used; the tokens issued for it are revoked" in again.get_json()["error_description"]


def test_a_dpop_bound_code_for_several_resources_says_why_it_was_not_found(oidc_app):
    """Without a resource, a code bound to the request's own DPoP key is refused for the
    resource (not as bound to another key); with one, it is found; nothing was taken before."""
    from idp.oidc import codes
    from infra.store import get_store

    store = get_store(oidc_app)
    grant = codes.CodeGrant(grant_id="g", client_id="c", redirect_uri="https://r.example/cb", code_challenge="x",
                            citizen_id="z", scopes=["openid"], claims={}, nonce=None, sid="s", auth_time=1, acr="a",
                            amr=[], issued_at=1.0, dpop_jkt="k", resources=[API_A, API_B])
    code = codes.issue(store, grant, ttl=60)
    bound = dict(client_id="c", redirect_uri="https://r.example/cb", challenge="x", replay_ttl=60)
    assert codes.redeem(store, code, **bound, jkt="k") == codes.Redemption(None, None, several=True)
    assert codes.redeem(store, code, **bound, jkt="other", targeted=True) == codes.Redemption(None, None, bound=True)
    assert codes.redeem(store, code, **bound, jkt="k", targeted=True).grant == grant
    again = codes.redeem(store, code, **bound, jkt="k")
    assert again.replayed_grant_id == "g"
