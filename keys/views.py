"""HTTP endpoints: `/jwks.json` and the PKI services under `/pki/` (thin: parse, call, reply).

Errors are JSON `{"error", "error_description"}`; protocol-level failures inside a well-framed
OCSP or RFC 3161 request get the protocol's own error response instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import weakref
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, request

from infra.config import get_settings
from infra.jose import b64url_decode
from infra.openapi import OUTAGE, refused, unavailable
from infra.web.caching import NO_STORE
from infra.web.errors import json_error
from keys.crl import cacheable_seconds
from keys.errors import (
    InvalidRequest,
    KeyNotFound,
    KeyStoreError,
    KeyStoreUnavailable,
    PkiNotInitialised,
)
from keys.ocsp import OcspReply
from keys.rotation import Keyring, SigningKeyInfo
from keys.service import get_service

log = logging.getLogger(__name__)
bp = Blueprint("keys", __name__)

OCSP_REQUEST = "application/ocsp-request"
OCSP_RESPONSE = "application/ocsp-response"
TS_QUERY = "application/timestamp-query"
TS_REPLY = "application/timestamp-reply"


@bp.errorhandler(KeyStoreError)
def _key_error(exc: KeyStoreError) -> Response:
    # every 503 says when to ask again (the operator runs `cedula pki init`, the store comes back)
    retry = {"Retry-After": str(get_settings().server.retry_after_seconds)}
    if isinstance(exc, PkiNotInitialised):
        return json_error(503, "pki_not_initialised",
                          "The document PKI has not been created yet; run `cedula pki init`.", retry)
    if isinstance(exc, KeyNotFound):
        return json_error(404, "not_found", str(exc))
    if isinstance(exc, InvalidRequest):
        return json_error(400, "invalid_request", str(exc))
    if not isinstance(exc, KeyStoreUnavailable):
        log.error("key store failure", extra={"error": str(exc)})
    return json_error(503, "key_store_unavailable",
                      "The key store cannot be used right now; try again later.", retry)


def _binary(body: bytes, mimetype: str, *, max_age: int = 0) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if max_age else NO_STORE
    return response


@dataclass(frozen=True)
class _JwksBody:
    """The JWK Set's response body for one set of published keys, encoded once."""

    published: tuple[SigningKeyInfo, ...]
    body: bytes
    etag: str

    def serves(self, published: list[SigningKeyInfo]) -> bool:
        """The same key objects (the keyring's snapshot makes new ones when a rotation is seen)."""
        return len(published) == len(self.published) and all(
            a is b for a, b in zip(published, self.published, strict=True))


# Per keyring: the body of its published keys (the cache holds the keys, so `is` is safe).
_JWKS_BODIES: weakref.WeakKeyDictionary[Keyring, _JwksBody] = weakref.WeakKeyDictionary()


def _jwks_body(keyring: Keyring, now: datetime) -> _JwksBody:
    """The encoded JWK Set of the keys published at `now`: encoded again only when that set
    changes (a key rotation seen through the keyring's generation, a key published or removed
    as time passes), not per request."""
    published = keyring.published(now)
    kept = _JWKS_BODIES.get(keyring)
    if kept is not None and kept.serves(published):
        return kept
    body = json.dumps({"keys": [dict(k.jwk) for k in published]}, separators=(",", ":")).encode("utf-8")
    kept = _JwksBody(tuple(published), body, hashlib.sha256(body).hexdigest()[:32])
    _JWKS_BODIES[keyring] = kept
    return kept


@bp.get("/jwks.json")
def jwks_json() -> Response:
    """The JWK Set; cacheable for at most the pre-publication period of the next key."""
    service = get_service()
    jwks = _jwks_body(service.keyring, service.now())
    response = Response(jwks.body, mimetype="application/json")
    # No key yet (the first is made at the first signature): nothing a cache may keep.
    response.headers["Cache-Control"] = (f"public, max-age={service.keyring.cache_seconds}" if jwks.published
                                         else "no-store")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.set_etag(jwks.etag)
    response.make_conditional(request)  # in place (it returns the same response, typed as werkzeug's)
    return response


@bp.get("/pki/ca/<name>.cer")
def ca_certificate(name: str) -> Response:
    """A CA certificate, DER (RFC 2585 media type; the caIssuers target, RFC 5280 4.2.2.1)."""
    service = get_service()
    material = service.pki.material()
    if name not in ("root", "issuing"):
        return json_error(404, "not_found", "CA certificates are root.cer and issuing.cer.")
    return _binary(material.ca(name).certificate.dump(), "application/pkix-cert", max_age=86400)


@bp.get("/pki/crl/<name>.crl")
def crl(name: str) -> Response:
    """The CA's current CRL, DER (RFC 5280, section 5; media type RFC 2585)."""
    service = get_service()
    if name not in ("root", "issuing"):
        service.pki.material()
        return json_error(404, "not_found", "CRLs are root.crl and issuing.crl.")
    now = service.now()
    body = service.pki.crl(name, now)
    return _binary(body, "application/pkix-crl", max_age=cacheable_seconds(
        body, now=now, at_most=int(service.settings["pki"]["crl_cache_seconds"])))


def _ocsp_reply(der: bytes, *, cacheable: bool) -> Response:
    service = get_service()
    service.pki.material()
    reply = service.ocsp.respond(der, now=service.now())
    if not cacheable or not reply.max_age or reply.produced_at is None or reply.next_update is None:
        return _binary(reply.der, OCSP_RESPONSE)  # POST, a nonce, an error status: never kept
    return _cacheable_ocsp(reply)


def _cacheable_ocsp(reply: OcspReply) -> Response:
    """A GET answer with RFC 5019, section 6.2's headers: Last-Modified (producedAt, the
    thisUpdate of its responses), Expires (their nextUpdate), an ETag of the DER, and
    `max-age=<n>, public, no-transform, must-revalidate`; If-None-Match of it gets 304.
    If-Modified-Since is not honoured: Last-Modified counts whole seconds, and a revocation in
    the second of the response a cache holds must not be answered 304."""
    response = Response(reply.der, mimetype=OCSP_RESPONSE)
    response.headers["Cache-Control"] = (f"max-age={reply.max_age}, public, no-transform, "
                                         "must-revalidate")
    response.last_modified = reply.produced_at
    response.expires = reply.next_update
    etag = hashlib.sha256(reply.der).hexdigest()
    response.set_etag(etag)
    if request.if_none_match.contains(etag):
        response.status_code = 304  # werkzeug drops the body and its headers (RFC 9110, 15.4.5)
        response.set_data(b"")
    return response


@bp.post("/pki/ocsp")
def ocsp_post() -> Response:
    """OCSP over HTTP POST (RFC 6960, appendix A.1)."""
    if request.mimetype != OCSP_REQUEST:
        return json_error(415, "unsupported_media_type",
                          f"Send the DER OCSPRequest as {OCSP_REQUEST}.")
    return _ocsp_reply(request.get_data(cache=False), cacheable=False)


@bp.get("/pki/ocsp/<path:encoded>")
def ocsp_get(encoded: str) -> Response:
    """OCSP over HTTP GET: the base64 DER request in the path (RFC 6960, appendix A.1).

    The path arrives URL-decoded (Werkzeug), so the standard alphabet reads directly; a request
    in base64url, which some clients send, is read by infra.jose, base64url's one home."""
    der = _ocsp_request(encoded)
    return _ocsp_reply(der, cacheable=True)


def _ocsp_request(encoded: str) -> bytes:
    """The DER of an OCSP GET path: standard base64 (RFC 6960), else base64url; b"" if neither."""
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        pass
    try:
        return b64url_decode(encoded, padding=True)
    except ValueError:
        return b""


@bp.post("/pki/tsa")
def tsa() -> Response:
    """RFC 3161 time-stamping over HTTP (RFC 3161, section 3.4)."""
    if request.mimetype != TS_QUERY:
        return json_error(415, "unsupported_media_type", f"Send the TimeStampReq as {TS_QUERY}.")
    service = get_service()
    service.pki.material()
    body = service.tsa.respond_der(request.get_data(cache=False), now=service.now())
    return _binary(body, TS_REPLY)


# What every /pki endpoint answers while it cannot serve (`_key_error`).
_UNAVAILABLE = unavailable("pki_not_initialised: the document PKI has not been created yet (the operator runs "
                           "`cedula pki init`), or key_store_unavailable: the key store cannot be used now; "
                           "retry after the Retry-After seconds")


def _der(media_type: str) -> dict[str, object]:
    """A DER answer of `media_type`."""
    return {"description": media_type,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}


def _per_ca(summary: str, media_type: str) -> dict[str, object]:
    """A GET of one CA's object, named by the path's `name` (root or issuing)."""
    return {"get": {
        "summary": summary,
        "parameters": [{"name": "name", "in": "path", "required": True,
                        "schema": {"enum": ["root", "issuing"]}}],
        "responses": {"200": _der(media_type),
                      "404": refused("not_found: no such CA (root or issuing)"),
                      "503": _UNAVAILABLE}}}


def _der_exchange(summary: str, request_type: str, reply_type: str) -> dict[str, object]:
    """A POST of a DER request (`request_type`) answered with a DER reply (`reply_type`)."""
    return {"post": {
        "summary": summary,
        "requestBody": {"content": {request_type: {"schema": {"type": "string", "format": "binary"}}}},
        "responses": {"200": _der(reply_type),
                      "415": refused(f"unsupported_media_type: send the request as {request_type}"),
                      "503": _UNAVAILABLE}}}


# RFC 7517 section 5 (a JWK Set) of the public keys RFC 7518 section 6 describes: what a
# verifier of Cédula's tokens reads (kid, alg and the key's own members).
_JWK_SET = {"type": "object", "required": ["keys"], "properties": {"keys": {"type": "array", "items": {
    "type": "object", "required": ["kty", "kid", "use", "alg"],
    "properties": {"kty": {"enum": ["EC", "RSA"]}, "kid": {"type": "string"}, "use": {"const": "sig"},
                   "alg": {"enum": ["ES256", "RS256"]},
                   "crv": {"type": "string"}, "x": {"type": "string"}, "y": {"type": "string"},
                   "n": {"type": "string"}, "e": {"type": "string"}}}}}}

OPENAPI_PATHS = {
    "/jwks.json": {"get": {
        "summary": "The provider's public signing keys (RFC 7517 JWK Set)",
        "responses": {"200": {"description": "JWK Set; Cache-Control fits the key rotation",
                              "content": {"application/json": {"schema": _JWK_SET}}},
                      "503": OUTAGE}}},
    "/pki/ca/{name}.cer": _per_ca("CA certificate (DER)", "application/pkix-cert"),
    "/pki/crl/{name}.crl": _per_ca("Certificate revocation list (DER, RFC 5280)", "application/pkix-crl"),
    "/pki/ocsp": _der_exchange("OCSP responder (RFC 6960)", OCSP_REQUEST, OCSP_RESPONSE),
    "/pki/ocsp/{request}": {"get": {
        "summary": "OCSP responder, GET form (RFC 6960, appendix A.1)",
        "parameters": [{"name": "request", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": _der(OCSP_RESPONSE), "503": _UNAVAILABLE}}},
    "/pki/tsa": _der_exchange("Time-stamping authority (RFC 3161)", TS_QUERY, TS_REPLY),
}
