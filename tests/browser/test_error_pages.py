"""Error pages (error.html: every status, and a refusal a view answers with it), in Spanish and
English: the <title> says first that it is an error ("Error: ..."), as a form page showing
errors does (WCAG 2.4.2; it said only the error's name), and the page offers the way to what
its sentence says to do: a page that says "go back" (a 405, a form that expired) had only
"Back to the start page", one that says "try again" (a 503) had no way to try again.
One Chromium for the module."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import ServiceUnavailable

from tests.browser.flows import message

pytestmark = pytest.mark.browser

LANGUAGES = ("es", "en")

# A form sent without its CSRF token (a form that expired: the browser lost its cookie).
POST_WITHOUT_TOKEN = """
const form = document.createElement('form');
form.method = 'post'; form.action = arguments[0];
document.body.appendChild(form); form.submit();
"""


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
def test_a_page_that_says_go_back_has_a_button_that_goes_back(shared_browser, server, lang):
    browser = shared_browser
    browser.choose_language(lang, then="/enrol")
    browser.wait_for("form#enrol-form")
    # The sign-out address opened with a GET (a bookmark, a link): 405, "go back to the previous page".
    browser.open("/logout")
    _error_page(browser, server, lang, "error.title.405", "error.http.405")
    browser.submit_and_wait(browser.wait_for("button#go-back"))
    assert browser.path == "/enrol"
    browser.wait_for("form#enrol-form")

    # The enrolment form sent without its token: 400, "go back, reload the page and try again".
    old_page = browser.current_page()
    browser.driver.execute_script(POST_WITHOUT_TOKEN, "/enrol")
    browser.wait_for_new_page(old_page)
    _error_page(browser, server, lang, "error.title.400", "error.csrf")
    assert not browser.all("#try-again")  # a POST is not repeated by a link
    browser.submit_and_wait(browser.wait_for("button#go-back"))
    assert browser.path == "/enrol"
    browser.wait_for("form#enrol-form")


def test_without_a_page_to_go_back_to_no_back_button_is_shown(shared_browser, server):
    """A page opened in a tab of its own (a link opened in a new tab) has no previous page: the
    button would do nothing, so it stays hidden and the start page is offered."""
    browser = shared_browser
    browser.open("/")
    first = browser.driver.current_window_handle
    browser.driver.execute_script("window.open(arguments[0], '_blank');", browser.base_url + "/logout")
    browser.wait(lambda d: len(d.window_handles) == 2, "expected a new tab")
    browser.driver.switch_to.window(next(h for h in browser.driver.window_handles if h != first))
    try:
        _error_page(browser, server, "es", "error.title.405", "error.http.405")
        assert browser.driver.execute_script("return history.length") == 1
        assert not browser.one("#go-back-step").is_displayed()
    finally:
        browser.driver.close()
        browser.driver.switch_to.window(first)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_page_that_says_try_again_links_to_the_same_address(shared_browser, server, monkeypatch, lang):
    browser = shared_browser
    browser.choose_language(lang, then="/")

    def unavailable():
        raise ServiceUnavailable()

    monkeypatch.setitem(server.app.view_functions, "info.help_page", unavailable)
    browser.open("/help?section=passkey")
    _error_page(browser, server, lang, "error.title.503", "error.http.503")
    again = browser.one("a#try-again")
    assert again.get_attribute("href") == browser.base_url + "/help?section=passkey"
    monkeypatch.undo()  # the service is back
    browser.submit_and_wait(again)
    assert browser.full_path == "/help?section=passkey"
    assert browser.driver.title == f"{browser.one('h1').text} · Cédula"  # no error any more


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_page_not_found_is_titled_as_an_error(shared_browser, server, lang):
    browser = shared_browser
    browser.choose_language(lang, then="/no-such-page")
    _error_page(browser, server, lang, "error.title.404", "error.http.404")
    assert not browser.all("#try-again")
