"""A client assertion is a JWT made to authenticate the client, not any JWT its key signed
(RFC 8725 section 3.11, explicit typing; RFC 7523bis: `client-authentication+jwt`): a request
object (`oauth-authz-req+jwt`, RFC 9101), which travels through the browser at /authorize, or a
DPoP proof is not accepted as client authentication, even with the claims of one."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt

from tests.idp.oidc.conftest import Agency

ISSUER = "http://localhost"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _signed(agency: Agency, typ: str | None, *, request_members: bool = True) -> str:
    """An assertion's claims (with a request object's, `request_members`) under the header `typ`."""
    now = int(time.time())
    claims = {"iss": agency.client_id, "sub": agency.client_id, "aud": ISSUER, "iat": now, "exp": now + 60,
              "jti": f"jti-{typ}-{now}"}
    if request_members:
        claims.update(client_id=agency.client_id, response_type="code")
    header = {"alg": "ES256", "kid": "agency-key"}
    if typ is not None:
        header["typ"] = typ
    return jwt.encode(header, claims, agency.key, algorithms=["ES256"])


def _token(client, assertion: str):
    return client.post("/token", data={"grant_type": "authorization_code", "code": "not-a-code",
                                       "client_assertion_type": ASSERTION, "client_assertion": assertion})


@pytest.mark.parametrize("typ", ["oauth-authz-req+jwt", "dpop+jwt", "at+jwt", "logout+jwt"])
def test_a_jwt_of_another_type_is_no_client_assertion(client, register, typ):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    refused = _token(client, _signed(agency, typ))
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client", refused.get_json()
    assert "typ" in refused.get_json()["error_description"]


@pytest.mark.parametrize("typ", [None, "JWT", "client-authentication+jwt"])
def test_an_assertion_typed_as_one_or_untyped_authenticates(client, register, typ):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    answer = _token(client, _signed(agency, typ, request_members=False))
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_grant", answer.get_json()
