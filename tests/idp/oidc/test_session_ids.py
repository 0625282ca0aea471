"""The `sid` an agency sees (ID tokens, logout tokens) is its own, like its pairwise `sub`
(OIDC Core 1.0 section 8: agencies in different sectors cannot correlate a citizen): one SSO
session shows each agency another `sid`, so two agencies cannot match their pairwise subjects by
it. Each agency's `sid` stays the same for the whole session (Back-Channel Logout 1.0 section
2.4, RP-Initiated Logout 1.0 section 2: its logout token and its id_token_hint name it)."""

from __future__ import annotations

from tests.idp.oidc.conftest import claims_of, tokens_for


def test_two_agencies_of_one_session_see_different_sids(client, register, citizen):
    one = register(redirect_uris=["https://one.example.gov/cb"])
    two = register(redirect_uris=["https://two.example.gov/cb"])
    first = claims_of(tokens_for(client, one)["id_token"])
    second = claims_of(tokens_for(client, two)["id_token"])
    assert first["sub"] != second["sub"]  # pairwise ...
    assert first["sid"] != second["sid"]  # ... and no shared session id to match them by
    again = claims_of(tokens_for(client, one)["id_token"])
    assert again["sid"] == first["sid"]  # stable for the agency within the session


def test_the_id_token_hint_of_an_agency_still_ends_the_session_at_once(client, register, citizen):
    agency = register(post_logout_redirect_uris=["https://portal.example.gov/bye"])
    id_token = tokens_for(client, agency)["id_token"]
    answer = client.get("/end-session", query_string={"id_token_hint": id_token,
                                                      "post_logout_redirect_uri": "https://portal.example.gov/bye"})
    assert answer.status_code == 303 and answer.headers["Location"] == "https://portal.example.gov/bye"
    assert client.get("/account").status_code in (302, 303)  # signed out


def test_an_id_token_issued_before_agencies_had_their_own_sid_still_ends_the_session(client, register, citizen):
    from idp.oidc import provider
    from idp.sessions import sessions_for

    agency = register(post_logout_redirect_uris=["https://portal.example.gov/bye"])
    claims = claims_of(tokens_for(client, agency)["id_token"])
    with client.application.app_context():
        claims["sid"] = sessions_for(citizen.citizen_id)[0].sid  # the session's own, as before
        old = provider(client.application).signer.sign(claims, alg="ES256", typ="JWT")
    answer = client.get("/end-session", query_string={"id_token_hint": old,
                                                      "post_logout_redirect_uri": "https://portal.example.gov/bye"})
    assert answer.status_code == 303 and answer.headers["Location"] == "https://portal.example.gov/bye"
