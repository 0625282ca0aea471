"""The rate-limited APIs told a client nothing until it was refused: their answers now carry
the RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers), from the
limiter's own count: the documents API per agency, the templates list per address. A 429
keeps Retry-After; the OIDC endpoints carry none."""

from __future__ import annotations

import re
import uuid

import pytest

from infra.config import get_settings
from tests.idp.documents.conftest import agency_token, register
from tests.idp.oidc.conftest import bearer


def fields(response) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """{policy: (q, w)} from RateLimit-Policy, {policy: r} from RateLimit."""
    policies = {name: (int(q), int(w)) for name, q, w in re.findall(
        r'"([\w-]+)";q=(\d+);w=(\d+)', response.headers.get("RateLimit-Policy", ""))}
    remaining = {name: int(r) for name, r in re.findall(
        r'"([\w-]+)";r=(\d+)', response.headers.get("RateLimit", ""))}
    return policies, remaining


@pytest.fixture
def limited(docs_app, monkeypatch):
    monkeypatch.setitem(get_settings(docs_app)["rate_limit"], "documents_api", 3)
    return docs_app


def test_the_documents_api_says_what_is_left_of_the_agencys_limit(limited, web):
    agency = register(limited, client_id=f"counted-{uuid.uuid4().hex[:8]}")
    token = agency_token(web, agency)
    window = int(get_settings(limited)["rate_limit"]["window_seconds"])
    answers = [web.get("/api/documents/no-such-document", headers=bearer(token)),
               web.get("/api/documents/prepared/no-such-document", headers=bearer(token)),
               web.post("/api/documents/no-such-document/revoke", headers=bearer(token),
                        data="{}", content_type="application/json"),
               web.get("/api/documents/no-such-document", headers=bearer(token))]
    assert [a.status_code for a in answers][-1] == 429
    for answer, left in zip(answers, (2, 1, 0, 0), strict=True):
        policies, remaining = fields(answer)
        assert policies == {"documents-api": (3, window)}, answer.headers
        assert remaining == {"documents-api": left}, answer.headers
    assert answers[-1].headers["Retry-After"] == str(window)


def test_the_templates_list_says_what_is_left_of_the_address_limit(docs_app, web, monkeypatch):
    monkeypatch.setitem(get_settings(docs_app)["rate_limit"], "documents_templates", 1000)
    first, second = web.get("/api/documents/templates"), web.get("/api/documents/templates")
    (policy, left), (_, then) = fields(first), fields(second)
    assert policy["documents-templates"][0] == 1000
    assert then["documents-templates"] == left["documents-templates"] - 1
    # a portal's page reads the list cross-origin: it may read the fields too
    assert "RateLimit" in second.headers["Access-Control-Expose-Headers"]


def test_the_oidc_endpoints_carry_no_ratelimit_fields(web):
    answer = web.post("/token", data={"grant_type": "client_credentials"})
    assert "RateLimit" not in answer.headers and "RateLimit-Policy" not in answer.headers


def test_openapi_declares_the_fields(web):
    paths = web.get("/openapi.json").get_json()["paths"]
    for path, method, status in (("/api/documents/{id}", "get", "429"),
                                 ("/api/documents/templates", "get", "200"),
                                 ("/api/documents/templates", "get", "429"),
                                 ("/api/verify", "post", "200"), ("/api/verify", "post", "429"),
                                 ("/api/verify/{csv}", "get", "200"), ("/api/verify/{csv}", "get", "429")):
        headers = paths[path][method]["responses"][status]["headers"]
        assert {"RateLimit-Policy", "RateLimit"} <= set(headers), (path, method, status)
