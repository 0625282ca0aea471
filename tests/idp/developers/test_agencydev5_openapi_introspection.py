"""`POST /introspect` as /openapi.json describes it, against what it answers: a client
generator built the introspection model from the `Introspection` schema, which named only
active, scope, client_id, sub, exp, iat, iss and token_type. The answer for an access token
also carries `aud` (whom the token is for: the check an API must make, RFC 7662 section 2.2),
`jti`, `auth_time` and `acr` (the level the citizen signed in at), and `cnf` for a DPoP-bound
token (RFC 9449 section 6.2): the generated model dropped them, `acr` included."""

from __future__ import annotations

from typing import Any

import jsonschema

from tests.idp.oidc.conftest import (  # noqa: F401 - the fixtures
    citizen,
    oidc_app,
    register,
    tokens_for,
)


def _introspect(client, agency, token: str) -> dict[str, Any]:
    form, headers = agency.auth({"token": token})
    answer = client.post("/introspect", data=form, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_json()


def _described(client, body: dict[str, Any]) -> None:
    document = client.get("/openapi.json").get_json()
    schema = document["components"]["schemas"]["Introspection"]
    undescribed = sorted(set(body) - set(schema["properties"]))
    assert not undescribed, f"answered but not in the Introspection schema: {undescribed}"
    jsonschema.validate(body, {**schema, "components": document["components"]})


def test_a_citizens_access_and_refresh_tokens_are_as_described(client, register, citizen):  # noqa: F811
    agency = register(scope="openid profile offline_access")
    tokens = tokens_for(client, agency, scope="openid profile offline_access")
    access = _introspect(client, agency, tokens["access_token"])
    assert access["active"] is True and {"aud", "jti", "acr", "auth_time"} <= set(access)
    _described(client, access)
    refresh = _introspect(client, agency, tokens["refresh_token"])
    assert refresh["active"] is True
    _described(client, refresh)


def test_an_inactive_token_is_as_described(client, register):  # noqa: F811
    agency = register()
    body = _introspect(client, agency, "not-a-token")
    assert body == {"active": False}
    _described(client, body)
