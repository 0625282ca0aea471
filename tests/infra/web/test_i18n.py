"""The citizen's language and time zone on the pages: one selector, the `tz` cookie, the filters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string

from infra.config import ConfigError, load_settings
from infra.web.i18n import current_language, current_zone, formats, gettext

MOMENT = datetime(2025, 5, 3, 19, 5, tzinfo=UTC)
SHOWS = "{{ when|datetime }} · {{ born|date }}"


def _render(app, template: str = SHOWS, *, cookies: dict[str, str] | None = None, accept: str = "") -> str:
    cookie = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
    headers = {"Cookie": cookie} if cookie else {}
    if accept:
        headers["Accept-Language"] = accept
    with app.test_request_context("/", headers=headers):
        return render_template_string(template, when=MOMENT, born=date(1990, 5, 17), nothing=None)


def test_the_language_cookie_then_accept_language_then_the_default(app):
    with app.test_request_context("/", headers={"Cookie": "lang=en", "Accept-Language": "es"}):
        assert current_language() == "en"
        assert gettext("site.skip") == "Skip to content"
    with app.test_request_context("/", headers={"Cookie": "lang=xx", "Accept-Language": "en-GB,en;q=0.8"}):
        assert current_language() == "en"
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert current_language() == "es"
        assert gettext("site.skip") == "Saltar al contenido"


def test_a_caller_can_choose_the_language_for_the_rest_of_the_request(app):
    """`use_language` (OIDC ui_locales on the sign-out page) wins over the cookie and
    Accept-Language, for messages and dates alike; a language without a catalog is refused."""
    from infra.web.i18n import use_language

    with app.test_request_context("/", headers={"Cookie": "lang=es", "Accept-Language": "es"}):
        assert current_language() == "es"
        use_language("en")
        assert current_language() == "en" and gettext("site.skip") == "Skip to content"
        assert formats().date(date(1990, 5, 17)) == "May 17, 1990"
        with pytest.raises(ValueError, match="'fr'"):
            use_language("fr")
        assert current_language() == "en"


def test_dates_follow_the_language_chosen_for_the_messages(app):
    assert _render(app, "{{ born|date }}") == "17 de mayo de 1990"
    assert _render(app, "{{ born|date }}", cookies={"lang": "en"}) == "May 17, 1990"
    assert _render(app, "{{ born|date }}", accept="en") == "May 17, 1990"


def test_without_the_citizens_zone_times_are_in_the_setting_and_carry_their_offset(app):
    assert load_settings()["i18n"]["timezone"] == "America/El_Salvador"
    assert _render(app) == "3 may 2025, 13:05 (GMT-06:00) · 17 de mayo de 1990"


def test_the_tz_cookie_puts_times_in_the_citizens_zone(app):
    assert _render(app, cookies={"tz": "Europe/Madrid"}) == "3 may 2025, 21:05 · 17 de mayo de 1990"
    assert _render(app, cookies={"tz": "Asia/Tokyo", "lang": "en"}) == "May 4, 2025, 4:05\u202fAM · May 17, 1990"
    with app.test_request_context("/", headers={"Cookie": "tz=Asia/Tokyo"}):
        assert str(current_zone()[0]) == "Asia/Tokyo" and current_zone()[1] is True
        assert formats().date(MOMENT) == "4 de mayo de 2025"


@pytest.mark.parametrize("forged", ["../../../etc/passwd", "Mars/Olympus", "UTC%00", "x" * 300])
def test_a_forged_tz_cookie_falls_back_to_the_setting(app, forged):
    assert _render(app, cookies={"tz": forged}) == "3 may 2025, 13:05 (GMT-06:00) · 17 de mayo de 1990"


def test_an_iso_string_is_parsed_not_shown_raw(app):
    template = "{{ '1990-05-17'|date }} · {{ '2025-05-03T19:05:00Z'|datetime }} · {{ '2025-05-01'|month }}"
    assert _render(app, template) == "17 de mayo de 1990 · 3 may 2025, 13:05 (GMT-06:00) · mayo de 2025"


def test_a_missing_value_is_an_empty_cell_not_none(app):
    assert _render(app, "[{{ nothing|datetime }}][{{ nothing|date }}]").replace("\n", "") == "[][]"


def _page(content: str) -> str:
    return '{% extends "base.html" %}{% block content %}<p>' + content + "</p>{% endblock %}"


def test_only_pages_that_show_times_load_the_time_zone_script(app):
    with_times = _render(app, _page("{{ when|datetime }}"))
    without = _render(app, _page("{{ born|date }}"))
    script = '<script type="module" src="/static/js/timezone.js"></script>'
    assert script in with_times
    assert "timezone.js" not in without
    assert "17 de mayo de 1990" in without


def test_the_time_zone_script_is_served_as_a_file_under_the_csp(client):
    script = client.get("/static/js/timezone.js")
    assert script.status_code == 200
    assert "document.cookie = `${name}=${zone}" in script.get_data(as_text=True)  # `tz` over http
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_an_unknown_zone_in_the_settings_stops_the_start():
    from flask import Flask

    from infra.config import SETTINGS
    from infra.web import i18n

    app = Flask("t")
    SETTINGS.install(app, load_settings({"i18n": {"timezone": "Mars/Olympus_Mons"}}))
    with pytest.raises(ConfigError, match=r"^i18n\.timezone must be an IANA time zone name: unknown time zone "
                                          r"'Mars/Olympus_Mons'"):
        i18n.init_app(app, ("idp", "signing"))


# --- the language switch ----------------------------------------------------------------------

def _switch(page: str, lang: str) -> str:
    import re

    found = re.search(rf'href="(/language/{lang}[^"]*)"', page)
    assert found, f"no switch to {lang} on the page"
    return found.group(1).replace("&amp;", "&")


def test_the_language_switch_keeps_the_page_and_its_query_and_the_choice_persists(client):
    page = client.get("/verify?code=ABCD", headers={"Accept-Language": "es"}).get_data(as_text=True)
    switched = client.get(_switch(page, "en"))
    assert switched.status_code == 303 and switched.headers["Location"] == "/verify?code=ABCD"
    cookie = client.get_cookie("lang")
    assert cookie.value == "en" and cookie.expires is not None
    again = client.get("/help", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in again.get_data(as_text=True)


@pytest.mark.parametrize(("form", "lands"), [
    ("/end-session/confirm", "/end-session"),      # a page that answers a form refused
    ("/operator/agencies/x/scopes", "/operator/agencies/x"),
    ("/registrar/lookup", "/registrar"),
])
def test_the_language_switch_on_a_page_answering_a_form_goes_to_a_page_not_the_form(app, form, lands):
    """A page that answers a POST cannot be asked for again with the switch's GET (that would be
    a 405 page): the switch returns to the nearest page above it."""
    with app.test_request_context(form, method="POST"):
        page = render_template_string('{% extends "base.html" %}')
    assert f"next={lands}\"" in page.replace("%2F", "/")


def test_the_page_address_links_to_this_site_and_leaves_off_a_query_that_is_not_utf8(app):
    from infra.web.i18n import page_address

    with app.test_request_context(environ_overrides={"PATH_INFO": "//evil.example/x",
                                                     "QUERY_STRING": "a=1&b=%C3%B1"}):
        assert page_address() == "/evil.example/x?a=1&b=%C3%B1"
    with app.test_request_context(environ_overrides={"PATH_INFO": "/verify", "QUERY_STRING": "code=\xff"}):
        assert page_address() == "/verify"
    with app.test_request_context("/account"):
        assert page_address() == "/account"
