"""Single logout ends on a page that lists the agencies the citizen was signed out of: those
holding grants from the session that ended (issue 19)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from tests.idp.conftest import csrf
from tests.idp.oidc.conftest import tokens_for


def listed(response) -> list[str]:
    page = response.get_data(as_text=True)
    found = re.search(r'<ul id="signed-out-agencies"[^>]*>(.*?)</ul>', page, re.S)
    # (an item may carry the language of the agency's name, `lang="es"` on an English page)
    return re.findall(r"<li(?: lang=\"[^\"]+\")?>([^<]*)</li>", found.group(1)) if found else []


def test_the_page_names_every_agency_of_the_ended_session(client, register, citizen):
    hacienda = register(client_name="Hacienda")
    registro = register(client_name="Registro Civil")
    register(client_name="Salud")  # never signed in to: not listed
    tokens_for(client, registro)
    id_token = tokens_for(client, hacienda)["id_token"]
    response = client.get("/end-session?" + urlencode({"id_token_hint": id_token}),
                          headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert listed(response) == ["Hacienda", "Registro Civil"]
    assert "Agencies you were signed out of" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # and the session is over


def test_a_confirmed_sign_out_lists_them_too(client, register, citizen):
    agency = register(client_name="Hacienda")
    tokens_for(client, agency)
    page = client.get("/end-session").get_data(as_text=True)  # no hint: the citizen is asked
    request_id = re.search(r'name="request" value="([^"]+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/end-session/confirm", data={"csrf_token": token, "request": request_id,
                                                         "decision": "logout"})
    assert response.status_code == 200 and listed(response) == ["Hacienda"]


def test_a_session_without_agencies_says_so(client, register, citizen):
    page = client.get("/end-session").get_data(as_text=True)
    request_id = re.search(r'name="request" value="([^"]+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/end-session/confirm", data={"csrf_token": token, "request": request_id,
                                                         "decision": "logout"},
                           headers={"Accept-Language": "en"})
    assert listed(response) == []
    assert 'id="signed-out-no-agencies"' in response.get_data(as_text=True)


def test_another_citizens_agencies_are_never_listed(client, register, citizen):
    """A browser not signed in gets the plain page, whatever the hint names."""
    agency = register(client_name="Hacienda")
    id_token = tokens_for(client, agency)["id_token"]
    stranger = client.application.test_client()
    response = stranger.get("/end-session?" + urlencode({"id_token_hint": id_token}))
    assert listed(response) == [] and 'id="signed-out-no-agencies"' not in response.get_data(as_text=True)


def test_the_citizens_own_sign_out_ends_on_the_same_list(client, register, citizen):
    agency = register(client_name="Hacienda")
    tokens_for(client, agency)
    response = client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    assert response.status_code == 303 and response.headers["Cache-Control"] == "no-store"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and listed(page) == ["Hacienda"]
    assert listed(client.get(response.headers["Location"])) == ["Hacienda"]  # a reload keeps it
    assert client.get("/account").status_code == 302


def test_ending_this_device_on_the_sessions_page_ends_on_the_list(client, register, citizen):
    agency = register(client_name="Registro Civil")
    tokens_for(client, agency)
    page = client.get("/account/sessions").get_data(as_text=True)
    sid = re.search(r'action="/account/sessions/([^"/]+)/end"', page).group(1)
    response = client.post(f"/account/sessions/{sid}/end", data={"csrf_token": csrf(client, "/account/sessions")})
    assert listed(client.get(response.headers["Location"])) == ["Registro Civil"]


def test_a_made_up_or_expired_link_lists_nothing(client, citizen):
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    page = client.get("/signed-out?r=not-a-real-one")
    assert page.status_code == 200 and listed(page) == []
    assert 'id="signed-out-no-agencies"' not in page.get_data(as_text=True)


def test_the_list_follows_the_language_the_page_is_read_in(client, register, citizen):
    agency = register(client_name="Hacienda", **{"client_name#en": "Treasury"})
    tokens_for(client, agency)
    response = client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    assert listed(client.get(response.headers["Location"], headers={"Accept-Language": "es"})) == ["Hacienda"]
    assert listed(client.get(response.headers["Location"], headers={"Accept-Language": "en"})) == ["Treasury"]
def test_the_link_shows_the_list_only_to_the_browser_that_signed_out(client, register, citizen):
    """The link alone (copied, shared, in another browser's history) tells nothing of who was
    signed in where: it shows the plain page."""
    agency = register(client_name="Hacienda")
    tokens_for(client, agency)
    response = client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    link = response.headers["Location"]
    cookie = response.headers.get_all("Set-Cookie")
    bound = [c for c in cookie if c.startswith("cedula_signed_out=")]
    assert bound and "HttpOnly" in bound[0] and "Path=/signed-out" in bound[0] and "Max-Age=600" in bound[0]
    assert listed(client.get(link)) == ["Hacienda"]

    elsewhere = client.application.test_client()
    page = elsewhere.get(link)
    assert page.status_code == 200 and listed(page) == []
    html = page.get_data(as_text=True)
    assert "Hacienda" not in html and 'id="signed-out-no-agencies"' not in html
    # Another browser's own cookie (from its own sign-out) does not open this list either.
    elsewhere.set_cookie("cedula_signed_out", "a-nonce-of-another-sign-out", path="/signed-out")
    assert listed(elsewhere.get(link)) == [] and "Hacienda" not in elsewhere.get(link).get_data(as_text=True)
    assert listed(client.get(link)) == ["Hacienda"]  # the browser that signed out still sees it


def test_the_list_needs_the_browser_nonce():
    from idp.logout.end_session import _browser_digest, signed_out_list

    raw = json.dumps({"agencies": {"hacienda-portal": "Hacienda"}, "browser": _browser_digest("n1")}).encode()
    assert signed_out_list(raw, nonce="n1") == {"hacienda-portal": "Hacienda"}
    assert signed_out_list(raw, nonce="n2") is None
    assert signed_out_list(raw, nonce=None) is None and signed_out_list(None, nonce="n1") is None
    assert signed_out_list(b'["Hacienda"]', nonce="n1") is None  # a record of the old form
