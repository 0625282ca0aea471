"""Passkeys (W3C Web Authentication Level 3): options, verification, the JSON API.

Modules: `challenges` (single-use ceremony state), `registration` and `authentication`
(options and verification, section 7.1 and 7.2), `checks` (shared client/authenticator
data checks), `attestation` (the pluggable policy), `aaguid` (authenticator models),
`ceremonies` (the flows end to end), `views` (the HTTP API).
"""

from __future__ import annotations

from flask import Flask

from idp.webauthn.errors import WebAuthnError
from idp.webauthn.openapi import PATHS, SCHEMAS
from idp.webauthn.relying_party import RelyingParty
from infra.openapi import describe

__all__ = ["RelyingParty", "WebAuthnError", "init_app", "relying_party"]


def relying_party(app: Flask) -> RelyingParty:
    return app.extensions["cedula.webauthn"]


def init_app(app: Flask) -> None:
    from idp.webauthn.views import bp

    app.extensions["cedula.webauthn"] = RelyingParty.from_settings(app.config["CEDULA"])
    app.register_blueprint(bp)
    describe(app, PATHS, SCHEMAS)
