"""prompt=none with a sign-in older than max_age answers login_required (OIDC Core 1.0
3.1.2.1 and 3.1.2.6): the sign-in's age is decided before consent, so a silent request of an
agency the citizen has not allowed gets login_required too, not consent_required (which would
say the citizen is signed in and their sign-in young enough). Review 6 found the order right;
these pin it at HTTP level (the decision's own test, tests/idp/oidc/test_interaction_policy.py,
has the case with consent)."""

from __future__ import annotations

import pytest

from tests.idp.conftest import age_session
from tests.idp.oidc.conftest import Flow, authorize_url, redirect_params, tokens_for


@pytest.mark.parametrize("allowed", [False, True], ids=["no consent", "consent given"])
def test_a_silent_request_past_max_age_is_login_required(client, register, citizen, allowed):
    agency = register()
    if allowed:
        tokens_for(client, agency)
    age_session(client, 600)
    flow = Flow()
    answer = redirect_params(client.get(authorize_url(agency, flow, prompt="none", max_age="60")), agency)
    assert answer["error"] == "login_required", answer
    assert answer["state"] == flow.state and answer["iss"] == "http://localhost"
    # Within max_age the same silent request is answered by the consent alone.
    within = redirect_params(client.get(authorize_url(agency, Flow(), prompt="none", max_age="3600")), agency)
    assert ("code" in within) if allowed else (within["error"] == "consent_required"), within


def test_max_age_zero_is_always_past(client, register, citizen):
    agency = register()
    tokens_for(client, agency)
    age_session(client, 2)
    answer = redirect_params(client.get(authorize_url(agency, Flow(), prompt="none", max_age="0")), agency)
    assert answer["error"] == "login_required", answer
