"""The language and time zone cookies with an https issuer are `__Host-lang` and `__Host-tz`
(RFC 6265bis section 4.1.3.2: Secure, Path=/, no Domain), as the session, CSRF and flow cookies
are. Named `lang` and `tz`, any host under the same registrable domain (a sibling agency site,
a hijacked subdomain) could plant them with `Domain=` (and a longer Path, so that they come
first): the citizen's consent page then spoke a language the citizen may not read, and the
pages showed times in another zone without their offset (the zone passed for the citizen's
own), the account's sign-in history included. An unprefixed cookie now changes nothing there;
over http (development) the plain names stay, as every other cookie's."""

from __future__ import annotations

import pytest

from infra.web.i18n import current_language, current_zone


def _asked(app, cookie: str):
    return app.test_request_context("/", headers={"Cookie": cookie, "Accept-Language": "es"})


@pytest.mark.parametrize("planted", ["lang=en", "__Host-lang=es; lang=en"])
def test_a_language_cookie_a_sibling_host_could_plant_is_not_read(https_app, planted):
    with _asked(https_app, planted):
        assert current_language() == "es"


def test_the_host_prefixed_language_cookie_is_the_choice(https_app):
    with _asked(https_app, "__Host-lang=en"):
        assert current_language() == "en"


def test_a_time_zone_cookie_a_sibling_host_could_plant_is_not_read(https_app):
    with _asked(https_app, "tz=Pacific/Kiritimati"):
        zone, own = current_zone()
        assert (str(zone), own) == ("America/El_Salvador", False)
    with _asked(https_app, "__Host-tz=Asia/Tokyo"):
        zone, own = current_zone()
        assert (str(zone), own) == ("Asia/Tokyo", True)


def test_the_language_switch_sets_the_host_prefixed_cookie(https_app):
    answer = https_app.test_client().get("/language/en?next=/help")
    assert answer.status_code == 303
    [cookie] = [value for name, value in answer.headers.items() if name == "Set-Cookie"]
    assert cookie.startswith("__Host-lang=en;"), cookie
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie, cookie


def test_an_api_error_is_not_worded_by_a_planted_language_cookie(https_app):
    from infra.web.errors import api_language

    with https_app.test_request_context("/", headers={"Cookie": "lang=es"}):
        assert api_language() == "en"
    with https_app.test_request_context("/", headers={"Cookie": "__Host-lang=es"}):
        assert api_language() == "es"


def test_the_time_zone_script_names_the_host_prefixed_cookie_over_https(client):
    script = client.get("/static/js/timezone.js").get_data(as_text=True)
    assert 'const name = https ? "__Host-tz" : "tz";' in script, script
