"""Every operation of the served /openapi.json that answers 503 when PostgreSQL or Redis is
stopped (`infra.web.errors.unavailable`: a JSON error with Retry-After) declares that 503
with a required Retry-After (`infra.openapi.RETRY_AFTER`), so that a client generated from the
document knows to wait and ask again. The test walks every path and method of the document,
with a Bearer token and with client_secret_basic (so that handlers which look a credential up
reach the database), and lists the operations whose 503 is not declared. /jwks.json answered
503 with nothing of it declared (small20)."""

from __future__ import annotations

import base64
import re

import pytest

from infra.openapi import METHODS
from tests.infra.ops.test_outage_log_lines import PARTS
from tests.support.ports import free_port

_AUTHS = ({"Authorization": "Bearer not-a-token"},
          {"Authorization": "Basic " + base64.b64encode(b"some-client:secret").decode()})


def _path(template: str) -> str:
    """A concrete path for `template`: a CA's name where one is asked, else any value."""
    return re.sub(r"\{[^}]+\}", lambda m: "root" if m.group(0) == "{name}" else "x", template)


def _ask(client, method: str, path: str, operation: dict, headers: dict):
    content = operation.get("requestBody", {}).get("content", {})
    if method in ("get", "delete"):
        return client.open(path, method=method.upper(), headers=headers)
    if "application/x-www-form-urlencoded" in content:
        return client.open(path, method=method.upper(), headers=headers, data={"x": "y"})
    return client.open(path, method=method.upper(), headers=headers, json={})


@pytest.fixture(params=[*sorted(PARTS), "key store"])
def stopped(request, fresh_app, monkeypatch):
    """The app's database, Redis (nobody listens at its address) or key store (an HSM that
    does not answer)."""
    from infra.db import DATABASE, Database
    from infra.store import STORE, RedisStore
    from keys import KeyStoreUnavailable
    from keys.rotation import Keyring
    from tests.support.components import replace_component

    if request.param == "database":
        from idp.schema import SCHEMA

        dead = Database(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none", schema=SCHEMA)
        replace_component(monkeypatch, fresh_app, DATABASE, dead)
        yield request.param
        dead.dispose()
    elif request.param == "store":
        store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", prefix="dead:")
        replace_component(monkeypatch, fresh_app, STORE, store)
        yield request.param
        store.close()
    else:
        def down(*args, **kwargs):
            raise KeyStoreUnavailable("the HSM does not answer")

        monkeypatch.setattr(Keyring, "keys", down)
        yield request.param


def test_every_operation_that_answers_503_declares_it_with_retry_after(fresh_app, stopped):
    client = fresh_app.test_client()
    document = client.get("/openapi.json").get_json()
    assert document is not None
    answered, undeclared = [], []
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            for headers in _AUTHS:
                response = _ask(client, method, _path(template), operation, headers)
                if response.status_code != 503:
                    continue
                answered.append((method, template))
                assert response.headers.get("Retry-After"), (method, template)
                declared = operation["responses"].get("503", {})
                if not declared.get("headers", {}).get("Retry-After", {}).get("required"):
                    undeclared.append(f"{method.upper()} {template}")
                break
    assert answered, f"nothing answered 503 with the {stopped} stopped"
    assert not undeclared, f"503 without a declared Retry-After, {stopped} stopped: {sorted(set(undeclared))}"
