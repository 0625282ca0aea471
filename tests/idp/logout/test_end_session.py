"""The end-session endpoint: OpenID Connect RP-Initiated Logout 1.0, sections 2 and 3."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.idp.conftest import csrf
from tests.idp.oidc.conftest import claims_of, tokens_for

BACK = "https://portal.example.gov/signed-out"


@pytest.fixture
def agency(register):
    return register(post_logout_redirect_uris=[BACK, BACK + "?from=cedula"])


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def end_session(client, method: str = "GET", **params):
    values = {k: v for k, v in params.items() if v is not None}
    if method == "POST":
        return client.post("/end-session", data=values)
    return client.get("/end-session?" + urlencode(values))


def refused(response) -> str:
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-store"
    return re.search(r'data-error="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_discovery_announces_both_logout_specifications(client):
    document = client.get("/.well-known/openid-configuration").get_json()
    assert document["end_session_endpoint"] == "http://localhost/end-session"
    assert document["backchannel_logout_supported"] is True
    assert document["backchannel_logout_session_supported"] is True


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_valid_hint_ends_the_session_and_returns_with_state(client, agency, citizen, method):
    id_token = tokens_for(client, agency)["id_token"]
    response = end_session(client, method, id_token_hint=id_token, post_logout_redirect_uri=BACK,
                           state="xyz-123")
    assert response.status_code == 303
    assert response.headers["Location"] == BACK + "?state=xyz-123"
    assert response.headers["Cache-Control"] == "no-store"
    assert not signed_in(client)


def test_state_is_added_to_a_redirect_uri_with_a_query(client, agency, citizen):
    id_token = tokens_for(client, agency)["id_token"]
    response = end_session(client, id_token_hint=id_token, post_logout_redirect_uri=BACK + "?from=cedula",
                           state="s")
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"from": ["cedula"], "state": ["s"]}


def test_without_redirect_uri_the_provider_shows_that_the_citizen_signed_out(client, agency, citizen):
    id_token = tokens_for(client, agency)["id_token"]
    response = end_session(client, id_token_hint=id_token, state="ignored")
    assert response.status_code == 200
    assert 'id="logout-done"' in response.get_data(as_text=True)
    assert not signed_in(client)


def test_an_expired_hint_is_accepted_for_logout(client, agency, citizen, oidc_app):
    import keys

    issued = claims_of(tokens_for(client, agency)["id_token"])
    old = dict(issued, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    with oidc_app.app_context():
        expired = keys.sign_jwt(oidc_app, old, alg="ES256")
    response = end_session(client, id_token_hint=expired, post_logout_redirect_uri=BACK)
    assert response.status_code == 303 and response.headers["Location"] == BACK
    assert not signed_in(client)


def test_an_unregistered_post_logout_redirect_uri_is_refused(client, agency, citizen):
    id_token = tokens_for(client, agency)["id_token"]
    for uri in ("https://evil.example/", BACK + "/", BACK.upper(), BACK + "?from=elsewhere"):
        response = end_session(client, id_token_hint=id_token, post_logout_redirect_uri=uri, state="s")
        assert refused(response) == "invalid_request"
        assert "Location" not in response.headers
    assert signed_in(client)


def test_a_hint_for_another_client_is_refused(client, register, agency, citizen):
    other = register(client_name="Hacienda", post_logout_redirect_uris=[BACK])
    id_token = tokens_for(client, agency)["id_token"]
    response = end_session(client, id_token_hint=id_token, client_id=other.client_id,
                           post_logout_redirect_uri=BACK)
    assert refused(response) == "invalid_request"
    assert "was issued to" in response.get_data(as_text=True)
    assert signed_in(client)


def test_redirect_uri_without_client_or_hint_is_refused(client, citizen):
    assert refused(end_session(client, post_logout_redirect_uri=BACK)) == "invalid_request"
    assert signed_in(client)


def test_an_unknown_client_id_is_refused(client, citizen):
    assert refused(end_session(client, client_id="nobody", post_logout_redirect_uri=BACK)) == "invalid_client"


def test_a_repeated_parameter_is_refused(client, agency, citizen):
    response = client.get("/end-session?" + urlencode([("state", "a"), ("state", "b")]))
    assert refused(response) == "invalid_request"


def confirmation(response) -> dict[str, str]:
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="logout-confirm"' in html, html[:500]
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
            "request": re.search(r'name="request" value="([^"]+)"', html).group(1)}


def test_without_a_hint_the_citizen_is_asked_and_can_sign_out(client, agency, citizen):
    page = end_session(client, client_id=agency.client_id, post_logout_redirect_uri=BACK, state="st")
    form = confirmation(page)
    assert signed_in(client)  # nothing happened yet
    csp = page.headers["Content-Security-Policy"]
    assert "form-action 'self' https://portal.example.gov" in csp
    answer = client.post("/end-session/confirm", data={**form, "decision": "logout"})
    assert answer.status_code == 303 and answer.headers["Location"] == BACK + "?state=st"
    assert not signed_in(client)
    # The request is single use.
    again = client.post("/end-session/confirm", data={**form, "decision": "logout"})
    assert refused(again) == "expired"


def test_the_citizen_can_stay_signed_in(client, agency, citizen):
    form = confirmation(end_session(client, client_id=agency.client_id))
    answer = client.post("/end-session/confirm", data={**form, "decision": "stay"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/account"
    assert signed_in(client)


def test_an_invalid_hint_is_refused(client, agency, citizen, oidc_app):
    """Section 2: a hint that does not verify (signature, issuer, not an ID token) is refused,
    as node oidc-provider does, with a page in the citizen's language that says what to do;
    the session is unchanged."""
    import keys

    id_token = tokens_for(client, agency)["id_token"]
    head, payload, signature = id_token.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    with oidc_app.app_context():
        foreign = keys.sign_jwt(oidc_app, dict(claims_of(id_token), iss="https://otro.example"),
                                alg="ES256")
    for hint in (tampered, "not-a-jwt", foreign):
        response = end_session(client, id_token_hint=hint, post_logout_redirect_uri=BACK)
        assert refused(response) == "invalid_request"
        assert "Location" not in response.headers
        page = response.get_data(as_text=True)
        assert "El enlace que le trajo aquí no es válido" in page
        assert "id_token_hint" in page  # the detail for the agency
        # ... in English, on a Spanish page: said so, for a screen reader's voice (WCAG 3.1.2)
        assert re.search(r'<span lang="en">[^<]*id_token_hint', page)
    english = end_session(client, id_token_hint=tampered, ui_locales="en").get_data(as_text=True)
    assert "The link that brought you here is not valid" in english
    assert 'href="/account"' in english
    assert signed_in(client)


def test_a_hint_expired_long_ago_is_still_a_hint(client, agency, citizen, oidc_app):
    """RP-Initiated Logout 1.0, section 2: the OP should accept expired ID tokens; one older
    than any session names the agency, and the citizen is asked."""
    import keys

    issued = claims_of(tokens_for(client, agency)["id_token"])
    year = 365 * 86400
    old = dict(issued, iat=int(time.time()) - 2 * year, exp=int(time.time()) - 2 * year + 3600)
    with oidc_app.app_context():
        expired = keys.sign_jwt(oidc_app, old, alg="ES256")
    form = confirmation(end_session(client, id_token_hint=expired, post_logout_redirect_uri=BACK))
    assert signed_in(client)
    answer = client.post("/end-session/confirm", data={**form, "decision": "logout"})
    assert answer.status_code == 303 and answer.headers["Location"] == BACK


def test_a_hint_from_an_older_session_leads_to_the_question(client, agency, citizen):
    from tests.idp.conftest import sign_in

    id_token = tokens_for(client, agency)["id_token"]
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    assert sign_in(client, citizen.key).status_code == 200
    form = confirmation(end_session(client, id_token_hint=id_token, post_logout_redirect_uri=BACK))
    assert signed_in(client)
    assert client.post("/end-session/confirm", data={**form, "decision": "logout"}).headers["Location"] == BACK


def test_the_confirmation_needs_the_csrf_token(client, agency, citizen):
    form = confirmation(end_session(client, client_id=agency.client_id))
    answer = client.post("/end-session/confirm", data={"request": form["request"], "decision": "logout"})
    assert answer.status_code == 400
    assert signed_in(client)


def test_not_signed_in_goes_straight_back(client, agency):
    response = end_session(client, client_id=agency.client_id, post_logout_redirect_uri=BACK, state="s")
    assert response.status_code == 303 and response.headers["Location"] == BACK + "?state=s"


def test_ui_locales_picks_the_page_language(client, agency, citizen):
    page = end_session(client, client_id=agency.client_id, ui_locales="fr-CA en-GB")
    assert '<html lang="en">' in page.get_data(as_text=True)
    page = end_session(client, client_id=agency.client_id, ui_locales="es")
    assert '<html lang="es">' in page.get_data(as_text=True)


def test_the_language_switch_on_the_confirmation_wins_over_ui_locales(client, agency, citizen):
    """The agency asks for English, the citizen picks Español on the confirmation: the page
    comes back in Spanish, the same request (not a new one in the agency's language), and the
    signed-out page after it speaks Spanish too."""
    import html

    page = end_session(client, client_id=agency.client_id, ui_locales="en")
    text = page.get_data(as_text=True)
    assert '<html lang="en">' in text
    asked = confirmation(page)
    switch = html.unescape(re.search(r'<a href="(/language/es\?[^"]+)"', text).group(1))
    switched = client.get(switch)
    assert switched.status_code == 303
    again = client.get(switched.headers["Location"])
    assert '<html lang="es">' in again.get_data(as_text=True)
    assert confirmation(again)["request"] == asked["request"]  # the request in progress
    assert "form-action 'self'" in again.headers["Content-Security-Policy"]
    done = client.post("/end-session/confirm", data={**asked, "decision": "logout"})
    assert done.status_code == 200 and '<html lang="es">' in done.get_data(as_text=True)
    assert 'id="logout-done"' in done.get_data(as_text=True)
    assert not signed_in(client)


def test_an_unknown_or_expired_confirmation_is_refused_with_what_to_do(client, agency, citizen):
    assert refused(client.get("/end-session?request=nope")) == "expired"


def test_the_switch_leaves_a_request_without_ui_locales_to_the_cookie(client, agency, citizen):
    page = end_session(client, client_id=agency.client_id)
    asked = confirmation(page)
    switched = client.get("/language/en?next=" + f"/end-session?request={asked['request']}")
    again = client.get(switched.headers["Location"])
    assert '<html lang="en">' in again.get_data(as_text=True)
