"""/openapi.json describes the documents API's real answers: the `Idempotency-Key` header the
guide tells agencies to send, and every refusal it brings (the 422 schema allowed only
`invalid_data`, so `idempotency_key_reused` did not match its own operation's description)."""

from __future__ import annotations

import base64
import json

import jsonschema
import pytest

from tests.idp.documents.conftest import agency_token
from tests.idp.documents.test_citizen_signing import _pdf
from tests.idp.oidc.conftest import bearer
from tests.signing import samples

PDF = base64.b64encode(_pdf("firma")).decode()
OPERATIONS = {"/api/documents": {"template": "residence", "data": samples.RESIDENCE, "level": "B-B"},
              "/api/documents/prepared": {"file_name": "contrato.pdf", "pdf": PDF}}


def _check(document: dict, path: str, response) -> None:
    """`response` is one the operation describes: its status, its body's schema, its headers."""
    operation = document["paths"][path]["post"]
    described = operation["responses"].get(str(response.status_code))
    assert described is not None, (path, response.status_code, sorted(operation["responses"]))
    schema = described["content"]["application/json"]["schema"]
    jsonschema.validate(response.get_json(), {**schema, "components": document["components"]})
    for header, description in described.get("headers", {}).items():
        assert header in response.headers or not description.get("required"), (path, header)


@pytest.mark.parametrize("path", sorted(OPERATIONS))
def test_idempotent_answers_are_the_described_ones(web, docs_app, agency, signed_in, path):
    _, sub = signed_in
    token = agency_token(web, agency)
    document = web.get("/openapi.json").get_json()
    operation = document["paths"][path]["post"]
    assert any(p["in"] == "header" and p["name"] == "Idempotency-Key"
               for p in operation.get("parameters", []))

    def post(key: str, **extra):
        body = {**OPERATIONS[path], "subject": sub, **extra}
        return web.post(path, data=json.dumps(body), content_type="application/json",
                        headers={**bearer(token), "Idempotency-Key": key})

    first = post("k-1")
    assert first.status_code == 201, first.get_json()
    assert "Location" in operation["responses"]["201"].get("headers", {})
    _check(document, path, first)
    replayed = post("k-1")
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]
    _check(document, path, replayed)
    reused = post("k-1", subject=sub + "x")
    assert reused.get_json()["error"] == "idempotency_key_reused"
    _check(document, path, reused)
    bad = post("x" * 256)
    assert bad.get_json()["error"] == "invalid_idempotency_key"
    _check(document, path, bad)
    assert "409" in operation["responses"] and "Retry-After" in operation["responses"]["409"]["headers"]
