"""id_token_hint at the authorization endpoint (OIDC Core 1.0 section 3.1.2.1).

An agency renewing a sign-in silently (prompt=none) names, with id_token_hint, the citizen it
expects: the provider must not answer with a code for someone else signed in to the browser
since (a shared computer), and must not take a hint it did not issue to this agency."""

from __future__ import annotations

from tests.idp.conftest import another_citizen
from tests.idp.oidc.conftest import Flow, authorize_url, redirect_params, tokens_for


def test_prompt_none_with_the_hint_of_another_citizen_is_login_required(oidc_app, client, register, citizen):
    agency = register()
    hint = tokens_for(client, agency)["id_token"]
    # The same citizen: the hint is theirs, the silent renewal goes on.
    assert "code" in redirect_params(client.get(authorize_url(agency, Flow(), prompt="none",
                                                              id_token_hint=hint)), agency)
    # Another citizen signs in on this browser, and has allowed the agency too.
    other_browser, _other = another_citizen(oidc_app)
    tokens_for(other_browser, agency)
    result = redirect_params(other_browser.get(authorize_url(agency, Flow(), prompt="none",
                                                             id_token_hint=hint)), agency)
    assert result.get("error") == "login_required", result


def test_a_hint_not_issued_to_this_agency_or_not_by_this_provider_is_refused(client, register, citizen):
    agency, other = register(), register(client_name="Otra", redirect_uris=["https://otra.example.gov/cb"])
    tokens_for(client, agency)
    foreign = tokens_for(client, other)["id_token"]
    head, payload, _signature = foreign.split(".")
    for hint in (foreign, f"{head}.{payload}.", "not-a-jwt"):
        result = redirect_params(client.get(authorize_url(agency, Flow(), prompt="none", id_token_hint=hint)),
                                 agency)
        assert result.get("error") == "invalid_request", (hint[:20], result)
