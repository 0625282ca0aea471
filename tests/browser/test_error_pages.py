"""Error pages (error.html: every status, and a refusal a view answers with it), in Spanish and
English: the <title> says first that it is an error ("Error: ..."), as a form page showing
errors does (WCAG 2.4.2); it said only the error's name ("No encontramos esta página · Cédula").
One Chromium for the module."""

from __future__ import annotations

import pytest

from tests.browser.flows import message

pytestmark = pytest.mark.browser

LANGUAGES = ("es", "en")


def _error_page(browser, server, lang: str, title_key: str, message_key: str, **params: object) -> None:
    """The page shown is the error page of `title_key`, in `lang`, titled as an error, with no
    serious or critical axe-core violation."""
    heading = message(server, title_key, lang)
    assert browser.lang() == lang
    assert browser.wait_for("h1").text == heading
    assert browser.one("[role=alert]").text == message(server, message_key, lang).format(**params)
    assert browser.driver.title == f"{message(server, 'site.error_prefix', lang)} {heading} · Cédula"
    assert browser.one("a#back-home").get_attribute("href") == browser.base_url + "/"
    browser.assert_accessible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_page_not_found_is_titled_as_an_error(shared_browser, server, lang):
    browser = shared_browser
    browser.choose_language(lang, then="/no-such-page")
    _error_page(browser, server, lang, "error.title.404", "error.http.404")
