"""`/pki/*` before `cedula pki init` as /openapi.json describes it, against what it answers
(review, agencydev12): every PKI endpoint answers `503 pki_not_initialised`, a JSON error with
Retry-After, but the document declared its 503 with no content and no header (and the OCSP GET
form no 503 at all), so a client generated from it read no body and no time to wait."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from infra.config import get_settings
from keys import get_service

ASKED = {
    ("/pki/ca/{name}.cer", "get"): lambda client: client.get("/pki/ca/root.cer"),
    ("/pki/crl/{name}.crl", "get"): lambda client: client.get("/pki/crl/issuing.crl"),
    ("/pki/ocsp", "post"): lambda client: client.post("/pki/ocsp", data=b"\x30\x00",
                                                      content_type="application/ocsp-request"),
    ("/pki/ocsp/{request}", "get"): lambda client: client.get("/pki/ocsp/MAA="),
    ("/pki/tsa", "post"): lambda client: client.post("/pki/tsa", data=b"\x30\x00",
                                                     content_type="application/timestamp-query"),
}


def _described(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    responses = document["paths"][path][method]["responses"]
    assert "503" in responses, f"{method} {path}: no 503 declared"
    response = responses["503"]
    assert "application/json" in response.get("content", {}), f"{method} {path} 503: no JSON content declared"
    assert response.get("headers", {}).get("Retry-After", {}).get("required") is True, \
        f"{method} {path} 503: Retry-After not declared"
    return {**response["content"]["application/json"]["schema"], "components": document["components"]}


@pytest.mark.parametrize(("path", "method"), list(ASKED))
def test_the_pki_before_init_answers_as_described(fresh_app, path, method):
    get_service(fresh_app).invalidate()
    client = fresh_app.test_client()
    answer = ASKED[(path, method)](client)
    assert answer.status_code == 503 and answer.mimetype == "application/json", answer.get_data(as_text=True)
    assert answer.get_json()["error"] == "pki_not_initialised"
    assert answer.headers["Retry-After"] == str(get_settings(fresh_app).server.retry_after_seconds)
    schema = _described(client.get("/openapi.json").get_json(), path, method)
    jsonschema.validate(answer.get_json(), schema)
    with pytest.raises(jsonschema.ValidationError):  # the schema reads the body, not anything
        jsonschema.validate({"error": "pki_not_initialised"}, schema)
