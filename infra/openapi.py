"""The OpenAPI 3.1 document at /openapi.json, assembled from what each component describes.

Every component describes its JSON API with `describe(app, paths, schemas)` while it is wired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from infra.components import Slot
from infra.config import get_settings
from infra.web.cors import public_read

bp = Blueprint("openapi", __name__)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "error_description"],
    "properties": {
        "error": {"type": "string", "description": "Machine-readable error code"},
        "error_description": {"type": "string", "description": "A sentence for people"},
    },
}


# Every security requirement in the document names one of these (OpenAPI 3.1, section 4.8.27).
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "An access token (RFC 6750), or an RFC 7591/7592 initial or registration access token"},
    "dpop": {"type": "http", "scheme": "DPoP",
             "description": "A DPoP-bound access token (RFC 9449 section 7.1): 'Authorization: DPoP <token>' "
                            "with a proof for this request in the DPoP header"},
    "clientSecretBasic": {"type": "http", "scheme": "basic",
                          "description": "client_secret_basic (RFC 6749, section 2.3.1)"},
}

# The answers of a rate-limited API say its limits (`infra.web.ratelimit.advertise`,
# draft-ietf-httpapi-ratelimit-headers).
RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": {"schema": {"type": "string"},
                         "description": 'each limit this request counts against: "name";q=requests;w=seconds'},
    "RateLimit": {"schema": {"type": "string"},
                  "description": 'what is left of each: "name";r=requests (0 once refused)'},
}

# Any refusal not listed by an operation has the same shape (the quality bar: never a bare 4xx).
REFUSED = {"description": "Refused: `error` is a machine code, `error_description` a sentence",
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
METHODS = ("get", "put", "post", "delete", "patch")
# Every 503 says when to ask again (`infra.web.errors.json_error` with its Retry-After).
RETRY_AFTER = {"Retry-After": {"required": True, "schema": {"type": "integer"},
                               "description": "seconds to wait before retrying"}}


def refused(description: str) -> dict[str, Any]:
    """A refusal an operation names: the JSON error of REFUSED, with what it means."""
    return {**REFUSED, "description": description}


def unavailable(description: str) -> dict[str, Any]:
    """A 503 of a dependency that is missing for now: the JSON error, with Retry-After."""
    return {**refused(description), "headers": RETRY_AFTER}


# The 503 of an operation whose handler reads the database, the ephemeral store or the key
# store (`infra.web.errors.unavailable`, keys' KeyStoreError handler): when to ask again.
OUTAGE = unavailable("temporarily_unavailable: the database, the ephemeral store or the key store is "
                     "unavailable for now; retry after the Retry-After seconds")


def _with_refusals(operations: dict[str, Any]) -> dict[str, Any]:
    return {method: ({**operation, "responses": {**operation.get("responses", {}), "4XX": REFUSED}}
                     if method in METHODS else operation)
            for method, operation in operations.items()}


@dataclass
class Document:
    """What the components describe: paths and schemas, gathered while the app is wired."""

    paths: dict[str, Any] = field(default_factory=dict)
    schemas: dict[str, Any] = field(default_factory=dict)


OPENAPI: Slot[Document] = Slot("OpenAPI document")


def describe(app: Flask, paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> None:
    document = OPENAPI.of(app)
    for path, operations in paths.items():
        document.paths.setdefault(path, {}).update(operations)
    document.schemas.update(schemas or {})


def build(app: Flask | None = None) -> dict[str, Any]:
    """The whole OpenAPI document of `app` (default: the current application)."""
    document = OPENAPI.of(app)
    settings = get_settings(app)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cédula",
            "version": "1",
            "description": "Citizen identity (OpenID Connect, passkeys) and e-signature APIs.",
        },
        "servers": [{"url": settings.issuer}],
        "paths": {path: _with_refusals(operations) for path, operations in sorted(document.paths.items())},
        "components": {"schemas": {"Error": ERROR_SCHEMA, **document.schemas},
                       "securitySchemes": SECURITY_SCHEMES},
    }


@bp.get("/openapi.json")
@public_read  # an API explorer or a code generator on another site may read it (infra/web/cors.py)
def openapi_json() -> Response:
    response = jsonify(build())
    response.headers["Cache-Control"] = "public, max-age=300"
    # Revalidated with If-None-Match (304 while unchanged, RFC 9110 section 13.1.2).
    response.add_etag()
    response.make_conditional(request)  # in place
    return response


# infra.ops.health: the overall status and each check's (`detail` says what to do; `backend`
# which ephemeral store answered).
_READINESS = {"application/json": {"schema": {
    "type": "object", "required": ["status", "checks"],
    "properties": {"status": {"enum": ["ok", "fail"]}, "checks": {"type": "object", "additionalProperties": {
        "type": "object", "required": ["status"],
        "properties": {"status": {"enum": ["ok", "warn", "fail"]}, "detail": {"type": "string"},
                       "backend": {"enum": ["memory", "redis"]}}}}}}}}


def init_app(app: Flask) -> None:
    """Early in the wiring: every component after it may `describe` its API."""
    OPENAPI.install(app, Document())
    describe(app, {
        "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {
            "description": "alive", "content": {"application/json": {"schema": {
                "type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}}}}}}},
        "/readyz": {"get": {"summary": "Readiness: database and ephemeral store reachable",
                            "responses": {"200": {"description": "ready", "content": _READINESS},
                                          "503": {"description": "not ready; see checks", "content": _READINESS,
                                                  "headers": RETRY_AFTER}}}},
    })
    app.register_blueprint(bp)
