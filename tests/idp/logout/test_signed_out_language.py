"""The signed-out page keeps the language the sign-out spoke (the agency's ui_locales, or the
citizen's choice) once the session is gone, and its language switch works there."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.idp.conftest import csrf
from tests.idp.logout.test_signed_out_page import listed
from tests.idp.oidc.conftest import tokens_for

SPANISH = {"Accept-Language": "es"}


def lang(response) -> str:
    return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)


def switch_to(response, code: str) -> str:
    found = re.search(rf'href="(/language/{code}\?[^"]*)"', response.get_data(as_text=True))
    return found.group(1).replace("&amp;", "&")


def page_link(response) -> str:
    """Where the page's language switch leads back (the page to read again)."""
    return parse_qs(urlsplit(switch_to(response, "es")).query)["next"][0]


def follow(client, link: str):
    answer = client.get(link, headers=SPANISH)
    while answer.status_code in (302, 303):
        answer = client.get(answer.headers["Location"], headers=SPANISH)
    return answer


def test_an_agencys_sign_out_in_english_stays_english_and_its_switch_works(client, register, citizen):
    agency = register(client_name="Hacienda", **{"client_name#en": "Treasury"})
    id_token = tokens_for(client, agency)["id_token"]
    done = client.get("/end-session?" + urlencode({"id_token_hint": id_token, "ui_locales": "en"}),
                      headers=SPANISH)
    assert lang(done) == "en" and listed(done) == ["Treasury"]
    spanish = follow(client, switch_to(done, "es"))  # the citizen chooses Spanish after it
    assert lang(spanish) == "es" and listed(spanish) == ["Hacienda"]
    english = follow(client, switch_to(spanish, "en"))  # and English again
    assert lang(english) == "en" and listed(english) == ["Treasury"]


def test_the_english_page_after_a_confirmed_sign_out_can_be_read_again_in_english(client, register, citizen):
    agency = register(client_name="Hacienda", **{"client_name#en": "Treasury"})
    tokens_for(client, agency)
    page = client.get("/end-session?" + urlencode({"client_id": agency.client_id, "ui_locales": "en"}),
                      headers=SPANISH)
    html = page.get_data(as_text=True)
    request_id = re.search(r'name="request" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    done = client.post("/end-session/confirm", headers=SPANISH,
                       data={"csrf_token": token, "request": request_id, "decision": "logout"})
    assert lang(done) == "en"
    # Its switch leads to the reloadable page (not /end-session: a plain page in a new request).
    link = page_link(done)
    assert link.startswith("/signed-out?r=")
    again = follow(client, link)
    assert lang(again) == "en" and listed(again) == ["Treasury"]


def test_the_own_sign_out_keeps_the_language_chosen_on_its_page(client, register, citizen):
    agency = register(client_name="Hacienda", **{"client_name#en": "Treasury"})
    tokens_for(client, agency)
    client.get("/language/en?next=/account")
    response = client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    page = client.get(response.headers["Location"])
    assert lang(page) == "en" and listed(page) == ["Treasury"]
    spanish = follow(client, switch_to(page, "es"))
    assert lang(spanish) == "es" and listed(spanish) == ["Hacienda"]


def test_another_browser_reads_the_link_in_its_own_language(client, register, citizen):
    agency = register(client_name="Hacienda")
    id_token = tokens_for(client, agency)["id_token"]
    done = client.get("/end-session?" + urlencode({"id_token_hint": id_token, "ui_locales": "en"}))
    stranger = client.application.test_client()
    page = stranger.get(page_link(done), headers=SPANISH)
    assert lang(page) == "es" and listed(page) == []
