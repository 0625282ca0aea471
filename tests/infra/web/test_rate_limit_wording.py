"""A 429 of an API spoke to a citizen: "You made too many attempts in a row. Wait a few minutes
and try again." (the pages' sentence). An API's 429 now tells the developer when to retry (the
Retry-After seconds), in English unless the caller asks for another language, like the other API
errors; a page keeps the citizen's sentence."""

from __future__ import annotations

import pytest

from infra.config import get_settings
from tests.idp.conftest import csrf, post_json
from tests.support.catalog_text import said


@pytest.fixture
def limited(client, monkeypatch):
    monkeypatch.setitem(get_settings(client.application)["rate_limit"], "challenges", 1)
    return client


def _refused(client, **kwargs):
    assert post_json(client, "/webauthn/authentication/options", {}, **kwargs).status_code == 200
    answer = post_json(client, "/webauthn/authentication/options", {}, **kwargs)
    assert answer.status_code == 429 and answer.mimetype == "application/json"
    return answer


def test_an_api_429_tells_the_developer_when_to_retry_in_english(limited):
    answer = _refused(limited)
    body = answer.get_json()
    assert body["error"] == "too_many_requests"
    seconds = answer.headers["Retry-After"]
    assert int(seconds) == int(get_settings(limited.application)["rate_limit"]["window_seconds"])
    assert body["error_description"] == said(limited.application, "error.api.429", "en").format(seconds=seconds)
    assert seconds in body["error_description"]
    citizen = said(limited.application, "error.rate_limited", "en")
    assert body["error_description"] != citizen
    assert "You made" not in body["error_description"]


def test_an_api_429_speaks_the_language_asked_for(limited):
    answer = _refused(limited, headers={"Accept-Language": "es"})
    seconds = answer.headers["Retry-After"]
    spanish = said(limited.application, "error.api.429", "es").format(seconds=seconds)
    assert answer.get_json()["error_description"] == spanish
    assert spanish != said(limited.application, "error.api.429", "en").format(seconds=seconds)
    assert spanish != said(limited.application, "error.rate_limited", "es")


def test_a_page_keeps_the_citizens_sentence(client):
    browser = client.application.test_client()
    token = csrf(browser, "/recover")
    limit = int(get_settings(client.application)["rate_limit"]["attempts"])
    answers = [browser.post("/recover", data={"csrf_token": token, "national_id": "00000000-0",
                                              "code": "AAAA-BBBB-CCCC"}, headers={"Accept": "text/html"})
               for _ in range(limit + 1)]
    page = answers[-1]
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert page.headers["Retry-After"]
    sentence = said(client.application, "error.rate_limited", "es")
    assert sentence.replace("'", "&#39;") in page.get_data(as_text=True)
