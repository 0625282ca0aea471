"""An API's error_description is for a developer: English unless the caller asks for another
language (Accept-Language, or the citizen's own choice, the lang cookie); citizen pages stay
Spanish by default. The same for every error infra.web answers (404, 405, CSRF, 500...)."""

from __future__ import annotations

import pytest

from infra.web.i18n import catalog


def _english(app, key: str, **params) -> str:
    with app.app_context():
        text = catalog(app).get(key, "en")
    assert text is not None
    return text.format(**params) if params else text


@pytest.mark.parametrize("path", ["/api/nothing-here", "/oauth/nothing", "/.well-known/nothing"])
def test_an_api_404_is_english_by_default(client, path):
    answer = client.get(path)
    assert answer.status_code == 404 and answer.mimetype == "application/json"
    assert answer.get_json() == {"error": "not_found",
                                 "error_description": _english(client.application, "error.api.404")}


def test_an_api_405_is_english_by_default(client):
    answer = client.get("/token")
    assert answer.status_code == 405 and answer.mimetype == "application/json"
    assert answer.get_json()["error_description"] == _english(client.application, "error.api.405", methods="POST")


def test_an_api_error_speaks_the_language_asked_for(client):
    answer = client.get("/api/nothing-here", headers={"Accept-Language": "es"})
    with client.application.app_context():
        spanish = catalog(client.application).get("error.api.404", "es")
    assert answer.get_json()["error_description"] == spanish
    assert spanish != _english(client.application, "error.api.404")


def test_a_citizen_page_stays_spanish_by_default(client):
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    with client.application.app_context():
        spanish = catalog(client.application).get("error.http.404", "es")
    assert spanish in page.get_data(as_text=True)


def test_an_unexpected_api_error_is_english_by_default(client, monkeypatch):
    app = client.application

    def fail(response):
        raise KeyError("a bug")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.after_request_funcs, None, [*app.after_request_funcs.get(None, []), fail])
    answer = client.post("/introspect", data={"token": "x"})
    assert answer.status_code == 500
    assert answer.get_json() == {"error": "server_error",
                                 "error_description": _english(app, "error.http.500")}


def test_a_page_script_s_request_answers_in_the_page_s_language_over_the_cookie(client):
    """A page shown in English (an agency's ui_locales chose it) to a citizen whose lang cookie
    says Spanish: its script names the page's language (X-Page-Language, js/webauthn.js), and
    the JSON error's sentence follows the page, not the cookie."""
    client.set_cookie("lang", "es")
    answer = client.get("/api/nothing-here", headers={"X-Page-Language": "en", "Accept-Language": "en"})
    assert answer.get_json()["error_description"] == _english(client.application, "error.api.404")


def test_a_passkey_script_s_login_required_follows_the_page_s_language_over_the_cookie(client):
    client.set_cookie("lang", "es")
    answer = client.post("/webauthn/registration/options", json={},
                         headers={"X-Page-Language": "en", "Accept-Language": "en"})
    assert answer.status_code == 401
    assert answer.get_json()["error_description"] == _english(client.application, "webauthn.error.login_required")


def test_a_page_language_no_catalog_has_leaves_the_cookie_s_choice(client):
    client.set_cookie("lang", "es")
    answer = client.get("/api/nothing-here", headers={"X-Page-Language": "xx"})
    with client.application.app_context():
        spanish = catalog(client.application).get("error.api.404", "es")
    assert answer.get_json()["error_description"] == spanish
