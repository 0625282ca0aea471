"""Signed request objects (JAR, RFC 9101) at /authorize and in pushed requests, and each
forgery of issue #17 refused with invalid_request_object."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.idp.oidc.conftest import Agency, Flow, decide, exchange, redirect_params, s256

ISSUER = "http://localhost"  # the test applications' issuer


def request_claims(agency: Agency, flow: Flow, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": agency.client_id, "aud": "http://localhost", "client_id": agency.client_id,
              "iat": now, "nbf": now, "exp": now + 300, "response_type": "code",
              "redirect_uri": agency.redirect_uri, "scope": "openid profile", "state": flow.state,
              "nonce": flow.nonce, "code_challenge": s256(flow.verifier), "code_challenge_method": "S256"}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def request_object(agency: Agency, claims: dict[str, Any], *, key: Any = None, alg: str = "ES256") -> str:
    header = {"alg": alg, "kid": "agency-key", "typ": "oauth-authz-req+jwt"}
    return jwt.encode(header, claims, key or agency.key, algorithms=[alg])


def unsigned(claims: dict[str, Any]) -> str:
    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return b64({"alg": "none", "typ": "oauth-authz-req+jwt"}) + "." + b64(claims) + "."


@pytest.fixture
def signer(register) -> Agency:
    return register(token_endpoint_auth_method="private_key_jwt",
                    redirect_uris=["https://portal.example.gov/callback", "https://portal.example.gov/other"])


def authorize(client, agency: Agency, request: str, **outside: str):
    return client.get("/authorize?" + urlencode({"client_id": agency.client_id, "request": request, **outside}))


def test_a_request_object_at_authorize_is_what_counts(client, signer, citizen):
    flow = Flow()
    page = authorize(client, signer, request_object(signer, request_claims(signer, flow)),
                     redirect_uri="https://portal.example.gov/other", scope="openid profile email", state="forged")
    result = redirect_params(decide(client, page), signer)
    assert result["state"] == flow.state
    body = exchange(client, signer, result["code"], flow).get_json()
    assert body["scope"] == "openid profile"


def test_a_request_object_in_a_pushed_request(client, signer, citizen):
    flow = Flow()
    form, _ = signer.auth({"client_id": signer.client_id,
                           "request": request_object(signer, request_claims(signer, flow))})
    pushed = client.post("/par", data=form)
    assert pushed.status_code == 201, pushed.get_json()
    page = client.get("/authorize?" + urlencode({"client_id": signer.client_id,
                                                 "request_uri": pushed.get_json()["request_uri"]}))
    result = redirect_params(decide(client, page), signer)
    assert exchange(client, signer, result["code"], flow).status_code == 200


def _forgeries(agency: Agency, flow: Flow) -> dict[str, tuple[str, str]]:
    stranger = ECKey.generate_key("P-256")
    return {
        "alg none": (unsigned(request_claims(agency, flow)), "must be signed"),
        "wrong aud": (request_object(agency, request_claims(agency, flow, aud="https://other-op.example")), "aud"),
        "aud an endpoint": (request_object(agency, request_claims(agency, flow, aud="http://localhost/par")), "aud"),
        "expired": (request_object(agency, request_claims(agency, flow, exp=int(time.time()) - 120,
                                                          nbf=int(time.time()) - 400)), "expired"),
        "no exp": (request_object(agency, request_claims(agency, flow, exp=None)), "no exp"),
        "foreign key": (request_object(agency, request_claims(agency, flow), key=stranger), "signature"),
        "other client": (request_object(agency, request_claims(agency, flow, client_id="someone-else")), "client_id"),
        "other issuer": (request_object(agency, request_claims(agency, flow, iss="someone-else")), "iss"),
        "lives a day": (request_object(agency, request_claims(agency, flow, exp=int(time.time()) + 86400)), "too long"),
        "nested": (request_object(agency, request_claims(agency, flow, request_uri="urn:x")), "cannot carry"),
    }


def _refused_at_authorize_and_par(client, signer, token: str, expected: str) -> None:
    """`token` as a request object is refused at /authorize (a page, no redirect, in plain words:
    the detail is logged) and at /par, saying `expected`."""
    page = authorize(client, signer, token)
    assert page.status_code == 400 and "Location" not in page.headers
    assert "invalid_request_object" not in page.get_data(as_text=True)
    form, _ = signer.auth({"client_id": signer.client_id, "request": token})
    pushed = client.post("/par", data=form)
    assert pushed.status_code == 400 and pushed.get_json()["error"] == "invalid_request_object"
    assert expected in pushed.get_json()["error_description"]


@pytest.mark.parametrize("forgery", ["alg none", "wrong aud", "aud an endpoint", "expired", "no exp", "foreign key",
                                     "other client", "other issuer", "lives a day", "nested"])
def test_forged_request_objects_are_refused_at_authorize_and_par(client, signer, citizen, forgery):
    flow = Flow()
    token, expected = _forgeries(signer, flow)[forgery]
    _refused_at_authorize_and_par(client, signer, token, expected)


def test_request_object_metadata(client):
    from clients.registry import ClientMetadataError, Permissions, validate_metadata

    with pytest.raises(ClientMetadataError, match="request_object_signing_alg"):
        validate_metadata({"redirect_uris": ["https://a.example/cb"], "request_object_signing_alg": "none"},
                          Permissions())
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["request_parameter_supported"] is True
    assert "none" not in meta["request_object_signing_alg_values_supported"]


def test_a_request_object_names_several_resources_as_an_array(oidc_app, client, signer, citizen):
    """RFC 8707 section 2 allows several `resource` parameters; in a request object they are
    one claim holding an array (what openid-client's JAR sends for more than one)."""
    from datetime import UTC, datetime

    from idp.oidc import resources
    from idp.oidc.request import SCOPES
    from infra.db import get_db
    from tests.idp.oidc.conftest import claims_of

    apis = ["https://api.hacienda.example.gov/declaraciones", "https://api.registro.example.gov/partidas"]
    with get_db(oidc_app).transaction() as session:
        for api in apis:
            resources.register(session, identifier=api, name=api, scopes=["openid", "profile"],
                               clients=[signer.client_id], owner=signer.client_id, now=datetime.now(UTC),
                               offered=SCOPES, issuer=ISSUER)
    flow = Flow()
    page = authorize(client, signer, request_object(signer, request_claims(signer, flow, resource=apis)))
    result = redirect_params(decide(client, page), signer)
    token = exchange(client, signer, result["code"], flow, resource=apis[1])
    assert token.status_code == 200, token.get_json()
    assert claims_of(token.get_json()["access_token"])["aud"] == apis[1]


def test_a_request_object_claim_this_provider_does_not_read_is_ignored(client, signer, citizen):
    """RFC 6749 section 3.1: unrecognized request parameters are ignored, whatever their JSON
    type in a request object (RFC 9396 authorization_details is an array)."""
    flow = Flow()
    claims = request_claims(signer, flow, authorization_details=[{"type": "payment_initiation"}], extension=True)
    page = authorize(client, signer, request_object(signer, claims))
    assert redirect_params(decide(client, page), signer)["state"] == flow.state


@pytest.mark.parametrize(("when", "expected"), [
    # iat ten years ahead and exp a minute after it: "60 seconds from iat", valid for ten years.
    ({"iat": 10 * 365 * 86400, "nbf": None, "exp": 10 * 365 * 86400 + 60}, "seconds ahead of this server's clock"),
    # No nbf nor iat: the lifetime counts from now.
    ({"iat": None, "nbf": None, "exp": 86400}, "too long"),
])
def test_a_request_object_cannot_outlive_an_hour_by_dating_itself_ahead(client, signer, citizen, when, expected):
    now = int(time.time())
    token = request_object(signer, request_claims(signer, Flow(), **{
        name: None if offset is None else now + offset for name, offset in when.items()}))
    _refused_at_authorize_and_par(client, signer, token, expected)
