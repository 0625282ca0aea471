"""The demo civil registry sends an `Idempotency-Key` with each `POST /api/documents`, as the
guide asks every agency to: one key per issue form shown, so a form sent twice (a double click,
a reload that resends it, a retry after a timeout) issues one birth certificate, listed once.
It sent none: each submission issued another sealed document."""

from __future__ import annotations

import json
import re

import pytest
import requests

from clients.portal import documents
from tests.clients.portal.test_pages import LOW, _signed_in
from tests.clients.portal.test_pages import portal as portal  # the fixture


@pytest.fixture
def api(monkeypatch):
    """The documents API as far as the portal sees it: one document per Idempotency-Key."""
    calls: list[dict] = []

    def agency_call(config, *, method, url, headers=None, **_):
        calls.append({"method": method, "url": url, "headers": dict(headers or {})})
        key = (headers or {}).get("Idempotency-Key") or f"none-{len(calls)}"
        response = requests.Response()
        response.status_code = 201
        response.headers["Content-Type"] = "application/json"
        response._content = json.dumps({"id": f"doc-{key}", "csv": "CSV", "verify_url": "/verify/x"}).encode()
        return response

    monkeypatch.setattr(documents, "agency_call", agency_call)
    return calls


def _form(page: str) -> dict[str, str]:
    form = page[page.index('action="/documents/birth"'):]
    return dict(re.findall(r'name="([^"]+)" value="([^"]+)"', form[:form.index("</form>")]))


def test_a_form_sent_twice_issues_one_document(portal, api):
    browser = portal.test_client()
    current = _signed_in(portal, browser, acr=LOW)
    form = _form(browser.get("/").get_data(as_text=True))
    for _ in range(2):
        assert browser.post("/documents/birth", data=form).status_code == 303
    keys = [call["headers"].get("Idempotency-Key") for call in api]
    assert keys[0] and keys == [keys[0]] * 2
    assert [issued.id for issued in current.issued] == [f"doc-{keys[0]}"]


def test_each_form_shown_is_a_new_request(portal, api):
    browser = portal.test_client()
    current = _signed_in(portal, browser, acr=LOW)
    for _ in range(2):
        assert browser.post("/documents/birth", data=_form(browser.get("/").get_data(as_text=True))).status_code == 303
    assert len({call["headers"].get("Idempotency-Key") for call in api}) == 2
    assert len(current.issued) == 2
