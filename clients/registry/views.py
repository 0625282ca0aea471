"""Dynamic client registration (RFC 7591) and client management (RFC 7592) endpoints."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, abort, request
from sqlalchemy.orm import Session

from clients.registry.logos import EXTENSIONS, refresh_logos, stored_logo
from clients.registry.metadata import ClientMetadataError
from clients.registry.models import Client
from clients.registry.services import (
    ClientNotFound,
    InvalidInitialToken,
    check_registration_token,
    check_secret,
    delete_client,
    find_client,
    public_metadata,
    register_client,
    rotate_registration_token,
    spend_initial_token,
    update_client,
)
from infra.config import get_settings
from infra.db import get_db
from infra.web.caching import no_content, uncached_json
from infra.web.errors import json_error
from infra.web.jsonapi import DuplicateMember, has_lone_surrogate, has_nul, unique_members

bp = Blueprint("registration", __name__)


def _error(status: int, error: str, description: str, *, missing: bool = False) -> Response:
    """RFC 7591 section 3.2.2; a refused initial access token is a challenge (RFC 6750 section 3),
    with no error code when no token was sent at all (section 3.1)."""
    challenge = 'Bearer realm="cedula"' if missing else f'Bearer realm="cedula", error="{error}"'
    return json_error(status, error, description, {"WWW-Authenticate": challenge} if status == 401 else None)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _body() -> dict[str, Any]:
    """The metadata object; read only once the caller is authenticated (RFC 6750 section 3.1)."""
    if request.mimetype != "application/json":
        raise _malformed("Send the metadata as application/json.")
    try:
        # A member named twice is refused (RFC 7493 section 2.3), as the other JSON APIs do: read
        # as its last value, a registration vetted by another reader as its first got through.
        value = json.loads(request.get_data() or b"null", object_pairs_hook=unique_members)
    except DuplicateMember as exc:
        raise _malformed(f"The member {exc.name!r} appears more than once in one object; send each once.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _malformed(f"The body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise _malformed("The body is nested too deeply.") from None
    if not isinstance(value, dict):
        raise _malformed("The body must be a JSON object of client metadata.")
    if _unstorable(value):
        raise _malformed("The metadata contains a NUL character (\\u0000) or a lone surrogate "
                         "(\\ud800-\\udfff, not a character), which no field accepts.")
    return value


def _unstorable(value: Any) -> bool:
    """A NUL (no database column takes it) or a lone surrogate (JSON allows "\\ud800"; UTF-8
    cannot carry it, so every page naming the agency would fail to encode) anywhere."""
    return has_nul(value) or has_lone_surrogate(value)


def _malformed(description: str) -> ClientMetadataError:
    error = ClientMetadataError("body", description)
    error.description = description
    return error


def _db():
    return get_db()


def _issuer() -> str:
    return get_settings().issuer


@bp.post("/register")
def register() -> Response:
    """RFC 7591 section 3: register a client with an initial access token."""
    token = _bearer()
    if token is None:
        return _error(401, "invalid_token", "An initial access token is required (Authorization: Bearer ...).",
                      missing=True)
    try:
        with _db().transaction() as session:
            permissions = spend_initial_token(session, token)
            registration = register_client(session, metadata=_body(), permissions=permissions,
                                           with_registration_token=True)
            result = public_metadata(registration.client, issuer=_issuer())
    except InvalidInitialToken as exc:
        return _error(401, "invalid_token", str(exc))
    except ClientMetadataError as exc:
        return _error(400, exc.error, exc.description)
    refresh_logos(_db(), registration.client.client_id)
    if registration.client_secret:
        result["client_secret"] = registration.client_secret
    result["registration_access_token"] = registration.registration_access_token
    return uncached_json(result, 201)


_NOT_VALID = ("The registration access token is not valid for this client: send the "
              "registration_access_token of the last answer to POST /register or to GET or PUT "
              "/register/{client_id} (each GET and each successful PUT answers with a new one, and the one "
              "sent stops working, RFC 7592 section 3); if you no longer have it, or did not use it, ask "
              "Cédula's operator.")


class _NotAuthorised(Exception):
    """RFC 7592 section 2: no registration access token, or not this client's (401 invalid_token)."""

    def __init__(self, description: str, *, missing: bool = False) -> None:
        super().__init__(description)
        self.missing = missing


@bp.errorhandler(_NotAuthorised)
def _not_authorised(exc: _NotAuthorised) -> Response:
    return _error(401, "invalid_token", str(exc), missing=exc.missing)


def _authorised_client(session: Session, client_id: str) -> Client:
    """The client the request's registration access token manages; raises _NotAuthorised."""
    token = _bearer()
    if token is None:
        raise _NotAuthorised("The registration access token is required.", missing=True)
    try:
        client = find_client(session, client_id)
    except ClientNotFound:
        # RFC 7592 section 2.1: answer as for a bad token; do not reveal whether it exists.
        client = None
    if client is None or not check_registration_token(client, token):
        raise _NotAuthorised(_NOT_VALID)
    return client


def _information(session: Session, client: Client) -> dict[str, Any]:
    """RFC 7592 section 3: the client information response, with its new registration access
    token (`rotate_registration_token`); in the operation's transaction, so that a refused
    update keeps the token it presented."""
    token = rotate_registration_token(session, client, _bearer() or "")
    if token is None:  # a concurrent request with the same token rotated it first
        raise _NotAuthorised(_NOT_VALID)
    result = public_metadata(client, issuer=_issuer())
    result["registration_access_token"] = token
    return result


@bp.get("/register/<client_id>")
def read(client_id: str) -> Response:
    """RFC 7592 section 2.1: read the client's current metadata (and its next token)."""
    with _db().transaction() as session:
        client = _authorised_client(session, client_id)
        result = _information(session, client)
    return uncached_json(result)


@bp.put("/register/<client_id>")
def update(client_id: str) -> Response:
    """RFC 7592 section 2.2: replace the client's metadata."""
    try:
        with _db().transaction() as session:
            client = _authorised_client(session, client_id)
            body = _body()
            if body.get("client_id") not in (None, client_id):
                raise _malformed("client_id in the body must match the URL.")
            secret = body.get("client_secret")
            if secret is not None and not (isinstance(secret, str) and check_secret(client, secret)):
                # RFC 7592 section 2.2: a client_secret sent must be the one currently issued.
                raise _malformed("client_secret in the body must be the client's current secret (or be left out).")
            for field in ("client_secret", "registration_access_token", "registration_client_uri",
                          "client_id_issued_at", "client_secret_expires_at", "client_id"):
                body.pop(field, None)
            update_client(session, client, metadata=body)
            result = _information(session, client)
    except ClientMetadataError as exc:
        return _error(400, exc.error, exc.description)
    refresh_logos(_db(), client_id)
    return uncached_json(result)


@bp.delete("/register/<client_id>")
def delete(client_id: str) -> Response:
    """RFC 7592 section 2.3: deprovision the client."""
    with _db().transaction() as session:
        client = _authorised_client(session, client_id)
        delete_client(session, client)
    return no_content(204, {"Cache-Control": "no-store"})  # no body, so no Content-Type (RFC 9110 section 8.3)


_LOGO_NAME = re.compile(r"([0-9a-f]{64})\.(png|jpg|webp)")


@bp.get("/agency-logos/<name>")
def logo(name: str) -> Response:
    """An agency's logo from Cédula's own origin, by content hash (clients.registry.logos):
    the stored bytes with the type they were checked to be, never sniffed, never a document."""
    match = _LOGO_NAME.fullmatch(name)
    if match is None:
        abort(404)
    with _db().read() as session:
        found = stored_logo(session, match.group(1))
        if found is None or found.data is None or EXTENSIONS.get(str(found.content_type)) != match.group(2):
            abort(404)
        data, content_type = found.data, str(found.content_type)
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response

