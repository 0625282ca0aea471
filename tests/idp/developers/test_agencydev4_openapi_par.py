"""/par takes every parameter of an authorization request (RFC 9126 section 2.1): the OpenAPI
document an agency generates its client from named only some (no nonce, prompt, acr_values,
claims, max_age...), so a generated client could not send them."""

from __future__ import annotations

from idp.oidc.request import PARAMETERS

FORM = "application/x-www-form-urlencoded"


def test_par_describes_every_authorization_request_parameter(client):
    document = client.get("/openapi.json").get_json()
    described = document["paths"]["/par"]["post"]["requestBody"]["content"][FORM]["schema"]["properties"]
    assert set(PARAMETERS) | {"request"} <= set(described), sorted(set(PARAMETERS) - set(described))
