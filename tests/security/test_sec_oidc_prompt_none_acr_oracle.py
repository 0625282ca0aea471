"""prompt=none with acr_values (or an essential acr claim) must not tell an agency the citizen
has not allowed how far the visitor's identity proofing and sign-in reach.

Without a standing consent a silent request answered login_required (a step-up was possible),
unmet_authentication_requirements (the visitor has no proofing for that level) or
consent_required (the sign-in already reaches it): three answers, invisible to the citizen,
that grade the visitor's identity proofing for any agency. Without consent the answer is now
consent_required whatever the level (login_required when nobody is signed in); an agency the
citizen allows keeps the step-up answers."""

from __future__ import annotations

import pytest

from idp.oidc.assurance import Assurance
from idp.oidc.interaction_policy import NOT_SIGNED_IN, Refuse, decide
from tests.idp.oidc.test_interaction_policy import ACR, GIVEN, NOW, SESSION, facts, interaction

HIGH = Assurance(level="high", acr=ACR["high"], amr=("hwk", "user"))
VISITORS = {
    "low, step-up possible": facts(reachable=lambda _level: True),
    "low, no proofing for the level": facts(reachable=lambda _level: False),
    "already high": facts(achieved=HIGH, reachable=lambda _level: True),
}
SILENT = {
    "acr_values": interaction(acr_values=[ACR["high"]], prompt=["none"]),
    "essential acr claim": interaction(claims={"id_token": {"acr": {"essential": True, "values": [ACR["high"]]}}},
                                       prompt=["none"]),
}


def _error(pending, standing, known) -> str:
    outcome = decide(pending, SESSION, standing, NOW, facts=known)
    assert isinstance(outcome, Refuse), outcome
    return outcome.error


@pytest.mark.parametrize("asked", list(SILENT))
def test_without_consent_a_silent_level_request_answers_the_same_whatever_the_visitor(asked):
    answers = {name: _error(SILENT[asked], None, known) for name, known in VISITORS.items()}
    assert set(answers.values()) == {"consent_required"}, answers


@pytest.mark.parametrize("asked", list(SILENT))
def test_without_a_session_a_silent_level_request_is_login_required(asked):
    outcome = decide(SILENT[asked], None, None, NOW, facts=facts(achieved=None))
    assert outcome == Refuse("login_required", NOT_SIGNED_IN)


@pytest.mark.parametrize("asked", list(SILENT))
def test_a_consented_agency_keeps_the_step_up_answers(asked):
    assert _error(SILENT[asked], GIVEN, VISITORS["low, step-up possible"]) == "login_required"
    assert _error(SILENT[asked], GIVEN, VISITORS["low, no proofing for the level"]) == \
        "unmet_authentication_requirements"
