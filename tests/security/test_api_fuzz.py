"""Fuzzing every JSON API from the app's own OpenAPI document (schemathesis, in-process WSGI).

The quality bar: bad input gets a clear 4xx with `{"error", "error_description"}`, never a 5xx.
Each operation gets a bounded, derandomized run of positive and negative examples, once with
valid credentials (so fuzzing reaches past authentication) and once without any.
"""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR
from schemathesis.transport.serialization import Binary, serialize_binary

from tests.idp.conftest import enrol
from tests.idp.documents.conftest import agency_token, register
from tests.idp.oidc.conftest import claims_of, tokens_for
from tests.signing import samples
from tests.signing.conftest import pki_app, pki_rows  # noqa: F401 - fixtures

# Routes that answer in JSON and so must be described in /openapi.json.
JSON_ROUTES = ("/api/", "/webauthn/", "/token", "/userinfo", "/introspect", "/revoke", "/register", "/pki/",
               "/wallet/token", "/wallet/nonce", "/wallet/credential", "/wallet/notification",
               "/wallet/offers/", "/wallet/status/", "/wallet/types/", "/wallet/presentations/",
               "/.well-known/openid-credential-issuer", "/audit/")
EXAMPLES = 25
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"/|sqlalchemy\.|werkzeug\.exceptions")


@schemathesis.serializer("application/ocsp-request", "application/timestamp-query")
def _der(ctx, value) -> bytes:
    """The DER request bodies of RFC 6960 and RFC 3161, as raw bytes (random ones, when fuzzing)."""
    return serialize_binary(value) if isinstance(value, (bytes, Binary)) else str(value).encode()


def _template(rule: str) -> str:
    """A Flask rule as an OpenAPI path template with anonymous parameters: /a/<x> -> /a/{}."""
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", "{}", rule)


def _document(app) -> dict:
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_openapi_document_is_valid_openapi_3_1(app):
    document = _document(app)
    assert document["openapi"].startswith("3.1.")
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in OPENAPI_31_VALIDATOR.iter_errors(document)]
    assert errors == []
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    schema.validate()
    # Every security requirement names a declared scheme; every $ref resolves.
    schemes = set(document["components"]["securitySchemes"])
    text = repr(document)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for requirement in operation.get("security", []) if isinstance(operation, dict) else []:
                assert set(requirement) <= schemes, (method, path, requirement)
    for ref in set(re.findall(r"'\$ref': '#/components/schemas/([^']+)'", text)):
        assert ref in document["components"]["schemas"], ref
    assert all(result.ok() for result in schema.get_all_operations())


def test_every_json_route_is_described(app):
    document = _document(app)
    described = {(method.upper(), _template(re.sub(r"\{[^}]+\}", "<x>", path)))
                 for path, operations in document["paths"].items() for method in operations
                 if method != "parameters"}
    registered = {(method, _template(rule.rule)) for rule in app.url_map.iter_rules()
                  if rule.rule.startswith(JSON_ROUTES)
                  for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert registered - described == set()


@dataclass
class Credentials:
    """Valid credentials for each kind of protected operation."""

    client_basic: str
    documents_bearer: str
    citizen_bearer: str
    initial_token: str
    managed_client_id: str
    registration_token: str
    document_id: str
    cookies: dict[str, str] = field(default_factory=dict)

    def headers_for(self, path: str) -> dict[str, str]:
        if path in ("/token", "/introspect", "/revoke"):
            return {"Authorization": self.client_basic}
        if path.startswith("/api/documents"):
            return {"Authorization": f"Bearer {self.documents_bearer}"}
        if path == "/userinfo":
            return {"Authorization": f"Bearer {self.citizen_bearer}"}
        if path == "/register":
            return {"Authorization": f"Bearer {self.initial_token}"}
        if path.startswith("/register/"):
            return {"Authorization": f"Bearer {self.registration_token}"}
        return {}

    def path_parameters_for(self, path: str) -> dict[str, str]:
        if path.startswith("/register/"):
            return {"client_id": self.managed_client_id}
        if path.startswith("/api/documents/{"):
            return {name: self.document_id for name in re.findall(r"\{([^}]+)\}", path)}
        return {}


@pytest.fixture
def credentials(pki_app) -> Credentials:  # noqa: F811
    from clients.registry.services import issue_initial_token
    from infra.db import get_db

    web = pki_app.test_client()
    agency = register(pki_app)
    documents_token = agency_token(web, agency)
    enrol(web)
    tokens = tokens_for(web, agency, scope="openid profile")
    issued = web.post("/api/documents", json={"template": "residence", "data": samples.RESIDENCE, "level": "B-B",
                                              "subject": claims_of(tokens["id_token"])["sub"]},
                      headers={"Authorization": f"Bearer {documents_token}"})
    assert issued.status_code == 201, issued.get_json()
    with get_db(pki_app).transaction() as session:
        initial = issue_initial_token(session, uses=10_000)
    managed = web.post("/register", json={"client_name": "Hacienda", "redirect_uris": ["https://h.example.gov/cb"]},
                       headers={"Authorization": f"Bearer {initial}"}).get_json()
    basic = "Basic " + base64.b64encode(f"{agency.client_id}:{agency.secret}".encode()).decode()
    cookies = {cookie.key: cookie.value for cookie in web._cookies.values()}
    return Credentials(basic, documents_token, tokens["access_token"], initial, managed["client_id"],
                       managed["registration_access_token"], issued.get_json()["id"], cookies)


def _error_shape(path: str, response) -> None:
    """Every refusal is JSON with a machine code and a sentence; no traceback ever leaks."""
    body = response.content or b""
    assert not TRACEBACK.search(body.decode("utf-8", "replace")), body[:500]
    if not 400 <= response.status_code < 500 or path in ("/account/export", "/account/log.json"):
        return
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), response.headers
    payload = response.json()
    assert isinstance(payload, dict), payload
    assert isinstance(payload.get("error"), str) and payload["error"], payload
    assert isinstance(payload.get("error_description"), str) and payload["error_description"], payload


ADDRESSES = itertools.count(1)


def _fuzz(schema, operation, headers: dict[str, str], cookies: dict[str, str],
          path_parameters: dict[str, str], credentials: Credentials | None = None) -> None:
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path_parameters or None),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=path_parameters or None),
    )

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case) -> None:
        # A fresh address per call, so the per-address rate limits do not stop the fuzzing early.
        n = next(ADDRESSES)
        address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        response = case.call(headers=headers, cookies=cookies, environ_base={"REMOTE_ADDR": address})
        assert response.status_code < 500, (case.as_curl_command(), response.status_code, response.content[:500])
        case.validate_response(response, checks=[status_code_conformance, content_type_conformance,
                                                 response_schema_conformance], headers=headers)
        _error_shape(operation.path, response)
        if credentials is not None and operation.path.startswith("/register/") and response.status_code == 200:
            # RFC 7592 section 3: each answer brings the next registration access token.
            credentials.registration_token = response.json()["registration_access_token"]
            headers["Authorization"] = f"Bearer {credentials.registration_token}"

    run()


@pytest.mark.parametrize("authenticated", [True, False], ids=["with-credentials", "anonymous"])
def test_no_operation_answers_5xx_or_a_bad_error(pki_app, credentials, authenticated):  # noqa: F811
    schema = schemathesis.openapi.from_wsgi("/openapi.json", pki_app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        headers = credentials.headers_for(operation.path) if authenticated else {}
        cookies = credentials.cookies if authenticated else {}
        parameters = credentials.path_parameters_for(operation.path) if authenticated else {}
        try:
            _fuzz(schema, operation, headers, cookies, parameters, credentials if authenticated else None)
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert failures == [], "\n\n".join(failures)
