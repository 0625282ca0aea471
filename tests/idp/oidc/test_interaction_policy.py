"""The authorization endpoint's decision as a table: facts in, one outcome out (no app needed)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from idp.consent.decision import Prior
from idp.oidc.assurance import Assurance
from idp.oidc.interaction_policy import (
    Consent,
    Facts,
    Issue,
    Login,
    Refuse,
    SelectAccount,
    StepUp,
    decide,
)
from idp.oidc.interactions import Interaction
from idp.oidc.request import AuthorizationRequest
from idp.sessions import SsoSession

NOW = 1_800_000_000.0
ACR = {"low": "urn:acr:low", "substantial": "urn:acr:substantial", "high": "urn:acr:high"}
LOW = Assurance(level="low", acr=ACR["low"], amr=("hwk", "user"))


def interaction(**request) -> Interaction:
    fields = {"client_id": "hacienda", "redirect_uri": "https://hacienda.example/cb", "state": "s",
              "scopes": ["openid", "profile"], "code_challenge": "c" * 43, **request}
    return Interaction(id="i", request=AuthorizationRequest(**fields))


SESSION = SsoSession(sid="sid", citizen_id="citizen-1", created=NOW - 600, auth_time=NOW - 600,
                     last_seen=NOW - 10, expires=NOW + 3600, amr=("hwk", "user"))
GIVEN = Prior(granted=frozenset({"sub", "given_name", "family_name", "birthdate"}), declined=frozenset())


def facts(*, achieved=LOW, reachable=lambda level: level != "high", subject="sub-1") -> Facts:
    return Facts(achieved=achieved, acr_uris=ACR, subject_of=lambda _citizen: subject, reachable=reachable)


CASES = [
    # name, interaction, session, standing consent, facts, expected outcome type, detail
    ("not signed in", interaction(), None, None, facts(achieved=None), Login, Login()),
    ("not signed in, prompt=none", interaction(prompt=["none"]), None, None, facts(achieved=None),
     Refuse, "login_required"),
    ("prompt=login", interaction(prompt=["login"]), SESSION, GIVEN, facts(), Login,
     Login(reauth=True, login_after=NOW)),
    ("prompt=login after the new sign-in", replace(interaction(prompt=["login"]), login_after=NOW - 700),
     SESSION, GIVEN, facts(), Issue, None),
    ("max_age exceeded", interaction(max_age=60), SESSION, GIVEN, facts(), Login,
     Login(reauth=True, login_after=NOW)),
    ("max_age exceeded, prompt=none", interaction(max_age=60, prompt=["none"]), SESSION, GIVEN, facts(),
     Refuse, "login_required"),
    ("select_account", interaction(prompt=["select_account"]), SESSION, GIVEN, facts(), SelectAccount, None),
    ("select_account chosen", replace(interaction(prompt=["select_account"]), account_chosen=True), SESSION,
     GIVEN, facts(), Issue, None),
    ("acr above the sign-in, reachable", interaction(acr_values=[ACR["substantial"]]), SESSION, GIVEN,
     facts(), StepUp, StepUp("substantial")),
    ("acr above the sign-in, prompt=none", interaction(acr_values=[ACR["substantial"]], prompt=["none"]),
     SESSION, GIVEN, facts(), Refuse, "login_required"),
    ("acr the citizen cannot reach", interaction(acr_values=[ACR["high"]]), SESSION, GIVEN, facts(),
     Refuse, "unmet_authentication_requirements"),
    ("step-up already tried", replace(interaction(acr_values=[ACR["substantial"]]), step_up="substantial"),
     SESSION, GIVEN, facts(), Refuse, "unmet_authentication_requirements"),
    ("sub hint of someone else", interaction(claims={"id_token": {"sub": {"value": "other"}}}), SESSION,
     GIVEN, facts(), Refuse, "login_required"),
    ("sub hint of someone else, no consent", interaction(claims={"id_token": {"sub": {"value": "other"}}}),
     SESSION, None, facts(), Refuse, "login_required"),
    ("sub hint of someone else, no consent, prompt=none",
     interaction(claims={"id_token": {"sub": {"value": "other"}}}, prompt=["none"]), SESSION, None, facts(),
     Refuse, "consent_required"),
    ("id_token_hint of someone else", interaction(hint_sub="other"), SESSION, GIVEN, facts(), Refuse,
     "login_required"),
    ("id_token_hint of someone else, no consent, prompt=none", interaction(hint_sub="other", prompt=["none"]),
     SESSION, None, facts(), Refuse, "consent_required"),
    ("sub hint of this citizen", interaction(claims={"id_token": {"sub": {"value": "sub-1"}}}), SESSION,
     GIVEN, facts(), Issue, None),
    ("no standing consent", interaction(), SESSION, None, facts(), Consent, None),
    ("no standing consent, prompt=none", interaction(prompt=["none"]), SESSION, None, facts(), Refuse,
     "consent_required"),
    ("consent covers the request", interaction(), SESSION, GIVEN, facts(), Issue, None),
    ("consent does not cover a new claim", interaction(scopes=["openid", "profile", "email"]), SESSION, GIVEN,
     facts(), Consent, None),
    ("prompt=consent asks again", interaction(prompt=["consent"]), SESSION, GIVEN, facts(), Consent, None),
]


@pytest.mark.parametrize(("name", "pending", "session", "standing", "known", "kind", "detail"), CASES,
                         ids=[case[0] for case in CASES])
def test_decide(name, pending, session, standing, known, kind, detail):
    outcome = decide(pending, session, standing, NOW, facts=known)
    assert isinstance(outcome, kind), f"{name}: {outcome!r}"
    if isinstance(detail, str):
        assert outcome.error == detail
    elif detail is not None:
        assert outcome == detail


def test_issue_grants_only_what_was_allowed():
    declined = Prior(granted=frozenset({"sub"}), declined=frozenset({"given_name", "family_name", "birthdate"}))
    outcome = decide(interaction(), SESSION, declined, NOW, facts=facts())
    assert outcome == Issue(frozenset({"sub"}), LOW)


def test_consent_page_asks_again_only_with_prompt_consent():
    assert decide(interaction(), SESSION, None, NOW, facts=facts()).again is False
    assert decide(interaction(prompt=["consent"]), SESSION, GIVEN, NOW, facts=facts()).again is True
