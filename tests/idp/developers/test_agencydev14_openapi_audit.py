"""The data-sharing log's public JSON (`/audit/log-keys.json`, `/audit/checkpoint.json`) as
/openapi.json describes it (review, agencydev14).

The citizen's `/account/log.json` (described) says its checkpoints are checked against the
keys "published at <issuer>/audit/log-keys.json", and `/audit/checkpoint.json` is what auditors
keep copies of; both answer every origin in JSON, yet /openapi.json described neither, so a
client generated from it had no way to fetch the keys a downloaded log is checked with."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from tests.idp.oidc.conftest import citizen, oidc_app, register, tokens_for  # noqa: F401 - the fixtures

NO_CHECKPOINT = ("The data-sharing log has no signed checkpoint yet: one is signed when its first entry is "
                 "sealed, after the first release of a citizen's data; ask again later.")


def _described(document: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    responses = document["paths"].get(path, {}).get("get", {}).get("responses", {})
    assert status in responses, f"{path} {status} is not described"
    content = responses[status].get("content", {})
    assert "application/json" in content, f"{path} {status}: no JSON content declared"
    return {**content["application/json"]["schema"], "components": document["components"]}


def test_the_log_keys_are_as_described(client, register, citizen):  # noqa: F811
    tokens_for(client, register(), scope="openid profile")  # a release: the log has a key and entries
    assert client.get("/account/log.json").status_code == 200  # read: sealed, and checkpointed
    answer = client.get("/audit/log-keys.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    document = client.get("/openapi.json").get_json()
    jsonschema.validate(answer.get_json(), _described(document, "/audit/log-keys.json", "200"))
    checkpoint = client.get("/audit/checkpoint.json")
    assert checkpoint.status_code == 200, checkpoint.get_json()
    jsonschema.validate(checkpoint.get_json(), _described(document, "/audit/checkpoint.json", "200"))
    assert checkpoint.get_json()["kid"] in {key["kid"] for key in answer.get_json()["keys"]}


def test_a_log_without_a_checkpoint_is_described_and_says_when_to_ask_again(oidc_app):  # noqa: F811
    client = oidc_app.test_client()
    answer = client.get("/audit/checkpoint.json")
    assert answer.status_code == 404
    assert answer.get_json() == {"error": "not_found", "error_description": NO_CHECKPOINT}
    jsonschema.validate(answer.get_json(), _described(client.get("/openapi.json").get_json(),
                                                      "/audit/checkpoint.json", "404"))


@pytest.mark.parametrize("path", ["/audit/log-keys.json", "/audit/checkpoint.json"])
def test_each_declares_the_outage_it_may_answer(oidc_app, path):  # noqa: F811
    responses = oidc_app.test_client().get("/openapi.json").get_json()["paths"][path]["get"]["responses"]
    assert responses["503"]["headers"]["Retry-After"]["required"] is True
