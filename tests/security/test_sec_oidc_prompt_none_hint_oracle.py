"""prompt=none with id_token_hint (or a `sub` value in the claims parameter) must not tell an
agency who is signed in when the citizen does not (or no longer) allow it anything.

An agency keeps the ID tokens of its past sign-ins. After the citizen withdrew its access, a
silent request (prompt=none, invisible to the citizen: an iframe, a redirect chain) naming one
of them answered consent_required when that citizen was the one signed in to the browser, and
login_required for anyone else: an oracle to recognise a visitor, one old ID token at a time,
that the citizen never sees. Without a standing consent a silent request is consent_required
whoever the hint names; with one, a hint of someone else is still login_required (no code for
the wrong citizen), and an interactive request still says login_required."""

from __future__ import annotations

import json

import pytest

from tests.idp.conftest import another_citizen
from tests.idp.oidc.conftest import Flow, authorize_url, claims_of, redirect_params, tokens_for
from tests.idp.oidc.test_standing import withdraw


@pytest.fixture
def agency(register):
    return register()


def _silent(browser, agency, **params) -> dict[str, str]:
    return redirect_params(browser.get(authorize_url(agency, Flow(), prompt="none", **params)), agency)


def test_a_withdrawn_agency_cannot_recognise_the_citizen_with_old_hints(oidc_app, client, agency, citizen):
    own = tokens_for(client, agency)["id_token"]
    other_browser, _other = another_citizen(oidc_app)
    foreign = tokens_for(other_browser, agency)["id_token"]
    withdraw(client, agency)
    # The citizen's own old hint and someone else's get the same answer in this browser.
    answers = {name: _silent(client, agency, id_token_hint=hint).get("error")
               for name, hint in (("own", own), ("foreign", foreign))}
    assert answers == {"own": "consent_required", "foreign": "consent_required"}, answers
    # The same with the subject named in the claims parameter.
    by_sub = {name: _silent(client, agency, claims=json.dumps({"id_token": {"sub": {"value": claims_of(hint)["sub"]}}}))
              .get("error") for name, hint in (("own", own), ("foreign", foreign))}
    assert by_sub == {"own": "consent_required", "foreign": "consent_required"}, by_sub


def test_a_consented_agency_still_gets_login_required_for_someone_else(oidc_app, client, agency, citizen):
    own = tokens_for(client, agency)["id_token"]
    other_browser, _other = another_citizen(oidc_app)
    foreign = tokens_for(other_browser, agency)["id_token"]
    assert "code" in _silent(client, agency, id_token_hint=own)
    assert _silent(client, agency, id_token_hint=foreign).get("error") == "login_required"


def test_an_interactive_request_for_someone_else_is_still_login_required(oidc_app, client, agency, citizen):
    tokens_for(client, agency)
    other_browser, _other = another_citizen(oidc_app)
    foreign = tokens_for(other_browser, agency)["id_token"]
    withdraw(client, agency)
    result = redirect_params(client.get(authorize_url(agency, Flow(), id_token_hint=foreign)), agency)
    assert result.get("error") == "login_required", result
