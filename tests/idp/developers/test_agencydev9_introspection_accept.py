"""`POST /introspect` chose its answer's form by whether `Accept` named
`application/token-introspection+jwt` at all (RFC 9701 section 4), ignoring the quality values
of RFC 9110 section 12.5.1: a client that prefers plain JSON and takes a JWT only as a fallback
(`Accept: application/json, application/token-introspection+jwt;q=0.5`), or one that says the
JWT is not acceptable (`;q=0`), got the JWT, which its JSON parser could not read. The form is
now the one the client prefers: the JWT when its type is named with a quality above zero and
at least that of JSON (`application/json`, `application/*` or `*/*`), else JSON; a JWT only
named with others of the same quality is still answered as before. The answer says that it
depends on `Accept` (`Vary: Accept`, RFC 9110 section 12.5.5)."""

from __future__ import annotations

import pytest

from tests.idp.oidc.conftest import (  # noqa: F401 - the fixtures
    citizen,
    oidc_app,
    register,
    tokens_for,
)

SIGNED = "application/token-introspection+jwt"


@pytest.fixture
def introspect(client, register, citizen):  # noqa: F811
    """POST /introspect of a citizen's access token with `accept` as the Accept header (none: no header)."""
    agency = register()
    token = tokens_for(client, agency)["access_token"]

    def answer(accept: str | None):
        form, headers = agency.auth({"token": token})
        if accept is not None:
            headers["Accept"] = accept
        response = client.post("/introspect", data=form, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response

    return answer


@pytest.mark.parametrize("accept", [
    "application/json, application/token-introspection+jwt;q=0.5",
    "application/token-introspection+jwt;q=0",
    "application/token-introspection+jwt;q=0.4, */*;q=0.8",
    "application/token-introspection+jwt;q=0.2, application/*",
])
def test_a_client_preferring_json_gets_json(introspect, accept):
    answer = introspect(accept)
    assert answer.mimetype == "application/json", (accept, answer.mimetype)
    assert answer.get_json()["active"] is True
    assert "Accept" in answer.headers.get("Vary", "")


@pytest.mark.parametrize("accept", [
    SIGNED,
    "application/token-introspection+jwt, application/json",
    "application/json;q=0.5, application/token-introspection+jwt",
    "*/*, application/token-introspection+jwt",
])
def test_a_client_preferring_the_jwt_gets_the_jwt(introspect, accept):
    answer = introspect(accept)
    assert answer.mimetype == SIGNED, (accept, answer.mimetype)
    assert answer.get_data(as_text=True).count(".") == 2
    assert "Accept" in answer.headers.get("Vary", "")


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/*"])
def test_a_client_not_naming_the_jwt_gets_json(introspect, accept):
    assert introspect(accept).mimetype == "application/json"
