"""Passkeys (W3C Web Authentication Level 3): options, verification, the JSON API.

Modules: `challenges` (single-use ceremony state), `registration` and `authentication`
(options and verification, section 7.1 and 7.2), `checks` (shared client/authenticator
data checks), `attestation` (the pluggable policy), `aaguid` (authenticator models),
`ceremonies` (the flows end to end), `views` (the HTTP API).
"""

from __future__ import annotations

from flask import Flask

from idp.webauthn.attestation import ATTESTATION_POLICY
from idp.webauthn.errors import WebAuthnError
from idp.webauthn.openapi import PATHS, SCHEMAS
from idp.webauthn.relying_party import RelyingParty
from infra.components import Slot
from infra.config import get_settings
from infra.openapi import describe

__all__ = ["RelyingParty", "WebAuthnError", "init_app", "relying_party"]


RELYING_PARTY: Slot[RelyingParty] = Slot("WebAuthn relying party")


def relying_party(app: Flask | None = None) -> RelyingParty:
    """This provider as a WebAuthn relying party (default: of the current application)."""
    return RELYING_PARTY.of(app)


def init_app(app: Flask) -> None:
    """After the component that installs the attestation policy (`idp.assurance`)."""
    from idp.webauthn.views import bp

    RELYING_PARTY.install(app, RelyingParty.from_settings(get_settings(app),
                                                          attestation=ATTESTATION_POLICY.of(app)))
    app.register_blueprint(bp)
    describe(app, PATHS, SCHEMAS)
