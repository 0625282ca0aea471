"""The public read-only API routes (GET /api/documents/templates, /openapi.json,
GET /api/verify/<code>) answer any origin, and so must the errors the app answers for them: a
429 (or a 503) of the templates list or of /openapi.json had no CORS header, so a portal's page
could read neither the refusal nor its Retry-After. No other route gets those headers."""

from __future__ import annotations

import pytest

from infra.store.base import StoreError
from infra.web.cors import PUBLIC_READ
from infra.web.ratelimit import RateLimited

PORTAL = {"Origin": "https://portal.agency.example"}


def _too_many(*_args: object, **_kwargs: object) -> None:
    raise RateLimited(60)


def _store_down(*_args: object, **_kwargs: object) -> None:
    raise StoreError("redis is down")


def _readable_by_any_page(response) -> None:
    for name, value in PUBLIC_READ.items():
        assert response.headers.get(name) == value, (response.status_code, name)
    assert "Retry-After" in response.headers


def test_a_refused_templates_list_is_readable_by_any_page(client, monkeypatch):
    from idp.documents import api

    monkeypatch.setattr(api, "hit", _too_many)
    refused = client.get("/api/documents/templates", headers=PORTAL)
    assert refused.status_code == 429
    _readable_by_any_page(refused)
    monkeypatch.setattr(api, "hit", _store_down)
    unavailable = client.get("/api/documents/templates", headers=PORTAL)
    assert unavailable.status_code == 503
    _readable_by_any_page(unavailable)


def test_an_unavailable_openapi_document_is_readable_by_any_page(client, monkeypatch):
    from infra import openapi

    monkeypatch.setattr(openapi, "build", _store_down)
    unavailable = client.get("/openapi.json", headers=PORTAL)
    assert unavailable.status_code == 503
    _readable_by_any_page(unavailable)


def test_the_public_reads_answers_carry_the_same_headers(client):
    for path in ("/api/documents/templates", "/openapi.json"):
        answer = client.get(path, headers=PORTAL)
        assert answer.status_code == 200
        for name, value in PUBLIC_READ.items():
            assert answer.headers.get(name) == value, (path, name)


@pytest.mark.parametrize("method", ["post", "put"])
def test_other_methods_of_a_public_read_get_no_cors(client, method):
    answer = getattr(client, method)("/api/documents/templates", headers=PORTAL)
    assert answer.status_code == 405
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_errors_of_other_routes_get_no_cors(client, monkeypatch):
    from signing.verify import views

    monkeypatch.setattr(views, "_count", _too_many)
    upload = client.post("/api/verify", data=b"%PDF-1.4", headers={"Content-Type": "application/pdf", **PORTAL})
    assert upload.status_code == 429
    assert "Access-Control-Allow-Origin" not in upload.headers
    unknown = client.get("/api/documents/templates-nowhere", headers=PORTAL)
    assert unknown.status_code in (401, 404)
    assert "Access-Control-Allow-Origin" not in unknown.headers
