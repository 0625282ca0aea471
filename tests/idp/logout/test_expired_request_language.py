"""The "sign-out request expired" page speaks the language of the agency's request (its
ui_locales, or the citizen's choice on the confirmation), though the stored request is gone:
the confirmation form carries it in its action."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.idp.logout.test_signed_out_language import lang
from tests.idp.oidc.conftest import tokens_for

SPANISH = {"Accept-Language": "es"}
ENGLISH = {"Accept-Language": "en"}


def _form(page) -> dict[str, str]:
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="logout-confirm"' in html, html[:300]
    return {"action": unescape(re.search(r'id="logout-confirm" method="post" action="([^"]+)"', html).group(1)),
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
            "request": re.search(r'name="request" value="([^"]+)"', html).group(1)}


def _ask(client, agency, headers, **params):
    return client.get("/end-session?" + urlencode({"client_id": agency.client_id, **params}), headers=headers)


def _gone(app, request_id: str) -> None:
    """The stored request runs out (what its time to live does)."""
    from idp.logout.end_session import PENDING
    from infra.store import get_store

    get_store(app).delete(PENDING + request_id)


def _answer(client, form, headers, decision: str = "logout"):
    return client.post(form["action"], headers=headers, data={"csrf_token": form["csrf_token"],
                                                              "request": form["request"], "decision": decision})


def expired_error(response) -> str:
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    return re.search(r'data-error="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_an_expired_request_in_english_is_refused_in_english(client, register, citizen, app):
    agency = register(client_name="Hacienda")
    tokens_for(client, agency)
    form = _form(_ask(client, agency, SPANISH, ui_locales="en-GB fr"))
    assert parse_qs(urlsplit(form["action"]).query) == {"lang": ["en"]}
    _gone(app, form["request"])
    answer = _answer(client, form, SPANISH)
    assert expired_error(answer) == "expired" and lang(answer) == "en"


def test_a_request_answered_twice_says_so_in_its_language(client, register, citizen):
    """The second submission of the same form (the first one took the request)."""
    agency = register(client_name="Hacienda")
    tokens_for(client, agency)
    form = _form(_ask(client, agency, SPANISH, ui_locales="en"))
    assert _answer(client, form, SPANISH, "stay").status_code == 303
    answer = _answer(client, form, SPANISH)
    assert expired_error(answer) == "expired" and lang(answer) == "en"


def test_the_language_chosen_on_the_confirmation_is_carried(client, register, citizen, app):
    agency = register(client_name="Hacienda")
    tokens_for(client, agency)
    asked = _form(_ask(client, agency, ENGLISH, ui_locales="en"))
    switched = client.get("/language/es?next=" + f"/end-session?request={asked['request']}", headers=ENGLISH)
    form = _form(client.get(switched.headers["Location"], headers=ENGLISH))
    assert parse_qs(urlsplit(form["action"]).query) == {"lang": ["es"]}
    _gone(app, form["request"])
    client.delete_cookie("lang")  # not the cookie's doing: the form's
    answer = _answer(client, form, ENGLISH)
    assert expired_error(answer) == "expired" and lang(answer) == "es"


def test_without_ui_locales_the_form_carries_no_language(client, register, citizen, app):
    """The agency asked for none: the expired page follows the cookie and the browser, as the
    confirmation did."""
    agency = register(client_name="Hacienda")
    tokens_for(client, agency)
    form = _form(_ask(client, agency, ENGLISH))
    assert urlsplit(form["action"]).query == ""
    _gone(app, form["request"])
    assert lang(_answer(client, form, SPANISH)) == "es"


def test_a_language_no_catalog_has_is_ignored(client, register, citizen, app):
    agency = register(client_name="Hacienda")
    tokens_for(client, agency)
    form = _form(_ask(client, agency, SPANISH, ui_locales="en"))
    _gone(app, form["request"])
    for made_up in ("xx", "en-US", "EN", "", "en es", "<script>"):
        answer = client.post("/end-session/confirm?" + urlencode({"lang": made_up}), headers=SPANISH,
                             data={"csrf_token": form["csrf_token"], "request": form["request"],
                                   "decision": "logout"})
        assert expired_error(answer) == "expired" and lang(answer) == "es", made_up


def test_a_live_request_speaks_its_own_language_over_the_carried_one(client, register, citizen):
    """The carried language stands in only for a request that is gone."""
    agency = register(client_name="Hacienda", **{"client_name#en": "Treasury"})
    tokens_for(client, agency)
    form = _form(_ask(client, agency, SPANISH, ui_locales="en"))
    answer = client.post("/end-session/confirm?lang=es", headers=SPANISH,
                         data={"csrf_token": form["csrf_token"], "request": form["request"], "decision": "logout"})
    assert answer.status_code == 200 and lang(answer) == "en"
