"""`/jwks.json`, `/healthz` and `/readyz` as /openapi.json describes them, against what they
answer: each 200 answers a JSON object, but the document declared no content for it, so a
client generated from it (the keys an agency's API checks access tokens with, a monitor's
readiness model) read nothing: a body the document says is not there."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from tests.idp.oidc.conftest import oidc_app  # noqa: F401 - the fixture


def _described(document: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    response = document["paths"][path]["get"]["responses"][status]
    assert "application/json" in response.get("content", {}), f"{path} {status}: no JSON content declared"
    return {**response["content"]["application/json"]["schema"], "components": document["components"]}


@pytest.mark.parametrize("path", ["/jwks.json", "/healthz", "/readyz"])
def test_a_public_json_answer_is_as_described(oidc_app, path):  # noqa: F811
    client = oidc_app.test_client()
    answer = client.get(path)
    assert answer.status_code == 200 and answer.mimetype == "application/json", answer.get_data(as_text=True)
    schema = _described(client.get("/openapi.json").get_json(), path, "200")
    jsonschema.validate(answer.get_json(), schema)


def test_the_jwks_schema_names_the_members_a_verifier_reads(oidc_app):  # noqa: F811
    client = oidc_app.test_client()
    keys = client.get("/jwks.json").get_json()["keys"]
    assert {"EC", "RSA"} <= {key["kty"] for key in keys}
    schema = _described(client.get("/openapi.json").get_json(), "/jwks.json", "200")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"keys": [{"kid": "no kty"}]}, schema)
