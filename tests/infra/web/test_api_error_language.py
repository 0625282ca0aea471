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
