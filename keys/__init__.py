"""Key custody and the document PKI.

Every private key of Cédula lives here: OIDC signing keys (JWKS with rotation), the root and
issuing CAs, the OCSP responder, the time-stamping authority, agency seal keys and citizens'
short-lived signing keys. Keys are held by a key store (`software`: AES-256-GCM wrapped under
a master key; `pkcs11`: inside an HSM token). `keys` depends on no other Cédula package: it
takes settings and the database from the Flask app.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from keys.errors import (
    InvalidJwt,
    InvalidRequest,
    KeyNotFound,
    KeyStoreError,
    KeyStoreUnavailable,
    PkiNotInitialised,
    RotationPending,
)

if TYPE_CHECKING:
    from flask import Flask, Response

    from keys.service import KeyService

# The rest loads on first use (`from keys import seal_signer` works as before): pyHanko costs
# most of a command's start, and a command that only reads the PKI (`cedula verify`) needs
# neither the JWT code nor the web layer.
log = logging.getLogger(__name__)

_LAZY = {
    **dict.fromkeys(("CustodySigner", "InProcessTimeStamper", "certificate_signer", "destroy_key",
                     "issue_citizen_certificate", "issue_seal_certificate", "own_pki_context",
                     "revocation_info", "seal_signer", "status_after", "timestamper", "trust_roots",
                     "validation_context"), "keys.signers"),
    **dict.fromkeys(("KeyService", "get_service", "jwks", "sign_jwt", "verify_jwt"), "keys.service"),
    "VerifiedJwt": "keys.jwt",
    "IssuedCertificate": "keys.pki",
    "revoke_certificates": "keys.certificate_revocation",
}


def __getattr__(name: str) -> Any:
    """PEP 562: the first `keys.<name>` imports its module and binds the name here, so later
    reads are plain module attributes (no look-up by name on every call)."""
    module = _LAZY.get(name)
    if module is not None:
        from importlib import import_module

        value = getattr(import_module(module), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'keys' has no attribute {name!r}")

__all__ = [
    "CustodySigner",
    "InProcessTimeStamper",
    "InvalidJwt",
    "InvalidRequest",
    "IssuedCertificate",
    "KeyNotFound",
    "KeyService",
    "KeyStoreError",
    "KeyStoreUnavailable",
    "PkiNotInitialised",
    "RotationPending",
    "VerifiedJwt",
    "certificate_signer",
    "destroy_key",
    "get_service",
    "init_app",
    "issue_citizen_certificate",
    "issue_seal_certificate",
    "jwks",
    "own_pki_context",
    "revocation_info",
    "revoke_certificates",
    "seal_signer",
    "sign_jwt",
    "status_after",
    "timestamper",
    "trust_roots",
    "validation_context",
    "verify_jwt",
]


def _key_store_failure(exc: KeyStoreError) -> Response:
    from infra.ops.logging import request_path
    from infra.web.errors import unavailable

    # The operator must act (HSM down, wrong master key): say so in the log, not to the user.
    log.error("key store failure", extra={"path": request_path(), "error": str(exc)})
    return unavailable(retry_after=30)


def _key_store_ready(service: KeyService) -> None:
    """`/readyz`'s key check: the configured store can use the keys in the database (checked
    before the store opens, from a verdict kept per key-store settings: no query, no signature
    per probe; a software store would otherwise make a master key over a token's keys), then
    the store answers (opened only when asked)."""
    from infra.ops.health import NotReady

    misplaced = service.custody.misplaced()
    if misplaced is not None:
        raise NotReady(misplaced.public())
    service.custody.store.check()


def init_app(app: Flask) -> KeyService:
    """Register `/jwks.json` and `/pki/...`, a readiness check and the OpenAPI paths.

    The key store itself opens lazily, on the first signature.
    """
    from infra.config import get_settings
    from infra.db import get_db
    from infra.openapi import describe
    from infra.ops.health import add_readiness_check
    from keys.custody import check_settings
    from keys.service import KEYS, KeyService
    from keys.views import OPENAPI_PATHS, bp

    check_settings(get_settings(app)["keys"])
    service = KEYS.install(app, KeyService(get_settings(app), get_db(app)))
    app.register_error_handler(KeyStoreError, _key_store_failure)
    app.register_blueprint(bp)
    add_readiness_check(app, "keys", lambda: _key_store_ready(service))
    from keys import renewal

    add_readiness_check(app, "pki", lambda: renewal.check(service.pki, service.now))
    renewal.expose(service.pki, service.now)
    describe(app, OPENAPI_PATHS)
    return service
