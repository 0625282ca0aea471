"""The documents API had no rate limit although the guide's errors table promised
`too_many_requests` on any call: each agency's calls now count against `[rate_limit]
documents_api` per `window_seconds` (the limiter of the other APIs), past it 429 with
Retry-After, as /openapi.json says."""

from __future__ import annotations

import pytest

from infra.config import get_settings
from tests.idp.documents.conftest import agency_token, register
from tests.idp.oidc.conftest import bearer


@pytest.fixture
def limited(docs_app, monkeypatch):
    monkeypatch.setitem(get_settings(docs_app)["rate_limit"], "documents_api", 3)
    return docs_app


def test_an_agency_past_its_limit_gets_429_with_retry_after(limited, web):
    busy = register(limited, client_id="busy-agency")
    quiet = register(limited, client_id="quiet-agency")
    token = agency_token(web, busy)
    answers = [web.get("/api/documents/no-such-document", headers=bearer(token)) for _ in range(4)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    refused = answers[-1]
    assert refused.get_json()["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) == int(get_settings(limited)["rate_limit"]["window_seconds"])
    prepared = web.get("/api/documents/prepared/no-such-document", headers=bearer(token))
    assert prepared.status_code == 429  # one limit for the whole API
    other = web.get("/api/documents/no-such-document", headers=bearer(agency_token(web, quiet)))
    assert other.status_code == 404  # counted per agency


def test_openapi_describes_the_429(web):
    paths = web.get("/openapi.json").get_json()["paths"]
    for path, method in (("/api/documents", "post"), ("/api/documents/{id}", "get"),
                         ("/api/documents/{id}/pdf", "get"), ("/api/documents/prepared", "post"),
                         ("/api/documents/prepared/{id}", "get"), ("/api/documents/prepared/{id}", "delete"),
                         ("/api/documents/{document_id}/revoke", "post")):
        throttled = paths[path][method]["responses"]["429"]
        assert "too_many_requests" in throttled["description"], (path, method)
        assert throttled["headers"]["Retry-After"]["required"] is True
    templates = paths["/api/documents/templates"]["get"]["responses"]["429"]  # public: per address
    assert "too_many_requests" in templates["description"]
    assert "documents_templates" in templates["description"]
    assert templates["headers"]["Retry-After"]["required"] is True


def test_the_public_templates_list_is_limited_per_client_address(docs_app, web, monkeypatch):
    """GET /api/documents/templates takes no token, so nothing limited it: anyone could have the
    service build every template's schema without end. Calls from one address now count against
    [rate_limit] documents_templates (another address keeps its own count)."""
    monkeypatch.setitem(get_settings(docs_app)["rate_limit"], "documents_templates", 2)
    answers = [web.get("/api/documents/templates") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[-1]
    assert refused.get_json()["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) == int(get_settings(docs_app)["rate_limit"]["window_seconds"])
    other = web.get("/api/documents/templates", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 200  # counted per client address


def test_the_templates_limit_is_a_setting_of_its_own(docs_app):
    assert int(get_settings(docs_app)["rate_limit"]["documents_templates"]) > 0
