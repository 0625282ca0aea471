"""/openapi.json describes dynamic registration (RFC 7591) and client management (RFC 7592)
as they answer: `PUT /register/{client_id}` had no request body at all, and no answer of the
four operations had a schema (a refusal's `error` shape, the client information response)."""

from __future__ import annotations

import jsonschema

from tests.clients.registry.test_views import METADATA, bearer, initial_token  # noqa: F401 - fixture


def _check(document: dict, path: str, method: str, response) -> None:
    operation = document["paths"][path][method]
    described = operation["responses"].get(str(response.status_code))
    assert described is not None, (method, path, response.status_code)
    if response.status_code == 204:
        assert "content" not in described and not response.get_data()
        return
    schema = described["content"]["application/json"]["schema"]
    jsonschema.validate(response.get_json(), {**schema, "components": document["components"]})


def test_every_registration_answer_is_the_described_one(client, initial_token):  # noqa: F811
    document = client.get("/openapi.json").get_json()
    collection, item = "/register", "/register/{client_id}"
    for method in ("post",):
        assert document["paths"][collection][method]["requestBody"]["content"]["application/json"]
    assert document["paths"][item]["put"]["requestBody"]["required"] is True
    request_schema = document["paths"][item]["put"]["requestBody"]["content"]["application/json"]["schema"]
    jsonschema.validate(METADATA, {**request_schema, "components": document["components"]})

    _check(document, collection, "post", client.post("/register", json=METADATA))  # no token: 401
    _check(document, collection, "post", client.post("/register", json={"redirect_uris": "x"},
                                                     headers=bearer(initial_token)))
    created = client.post("/register", json=METADATA, headers=bearer(initial_token))
    _check(document, collection, "post", created)
    body = created.get_json()
    path = f"/register/{body['client_id']}"
    read = client.get(path, headers=bearer(body["registration_access_token"]))
    _check(document, item, "get", read)
    token = read.get_json()["registration_access_token"]
    _check(document, item, "get", client.get(path, headers=bearer("nope")))
    refused = client.put(path, headers=bearer(token), json={**METADATA, "redirect_uris": ["nope"]})
    _check(document, item, "put", refused)
    updated = client.put(path, headers=bearer(token), json={**METADATA, "client_id": body["client_id"]})
    _check(document, item, "put", updated)
    token = updated.get_json()["registration_access_token"]
    _check(document, item, "delete", client.delete(path, headers=bearer("nope")))
    _check(document, item, "delete", client.delete(path, headers=bearer(token)))


def test_a_body_too_large_and_an_outage_are_described(client, fresh_app, initial_token, monkeypatch):  # noqa: F811
    """A registration above `[server] max_body_bytes` is 413, and while the database is down
    each operation is 503 with Retry-After: neither was in the document."""
    from idp.schema import SCHEMA
    from infra.config import get_settings
    from infra.db import DATABASE, Database
    from tests.support.components import replace_component
    from tests.support.ports import free_port

    document = client.get("/openapi.json").get_json()
    created = client.post("/register", json=METADATA, headers=bearer(initial_token)).get_json()
    path = f"/register/{created['client_id']}"
    token = created["registration_access_token"]
    padding = "x" * get_settings(fresh_app).server.max_body_bytes
    for method, url, operation in (("post", "/register", "/register"), ("put", path, "/register/{client_id}")):
        response = client.open(url, method=method.upper(), headers=bearer(initial_token if method == "post" else token),
                               json={**METADATA, "client_name": padding})
        assert response.status_code == 413 and response.get_json()["error"] == "request_too_large"
        _check(document, operation, method, response)
        assert "request_too_large" in document["paths"][operation][method]["responses"]["413"]["description"]
    dead = Database(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none", schema=SCHEMA)
    replace_component(monkeypatch, fresh_app, DATABASE, dead)
    try:
        for method, url, operation, credential in (
                ("post", "/register", "/register", initial_token),
                ("get", path, "/register/{client_id}", token), ("put", path, "/register/{client_id}", token),
                ("delete", path, "/register/{client_id}", token)):
            response = client.open(url, method=method.upper(), headers=bearer(credential),
                                   **({"json": METADATA} if method in ("post", "put") else {}))
            assert response.status_code == 503 and response.headers["Retry-After"], (method, url)
            _check(document, operation, method, response)
            assert document["paths"][operation][method]["responses"]["503"]["headers"]["Retry-After"]["required"]
    finally:
        dead.dispose()
