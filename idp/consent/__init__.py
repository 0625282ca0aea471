"""Consent: the citizen decides which agency receives which data, sees every release in the
data-sharing log (`idp.audit`), withdraws an agency's access, downloads everything, closes
the account.

Public API:

    get_consents(app) -> Consents        (.policy: ConsentPolicy, .sign: ReceiptSigner)
    basis_for(client_id, app=None) -> ("consent", None) | ("law", "<law text>")
    services.current / prior / record / record_release / connected / revoke
    closure.close_account(...)
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from idp.consent.errors import AccountClosed, AgencyNotConnected, ConsentError
from idp.consent.receipts import ReceiptSigner
from idp.consent.settings import ConsentPolicy
from infra.components import Slot
from infra.config import get_settings

__all__ = ["AccountClosed", "AgencyNotConnected", "ConsentError", "ConsentPolicy", "Consents",
           "basis_for", "get_consents", "init_app"]

CONSENTS: Slot[Consents] = Slot("consents")


@dataclass(frozen=True)
class Consents:
    """Built once at start: the settings and the receipt signer (`keys/`)."""

    policy: ConsentPolicy
    sign: ReceiptSigner


def get_consents(app: Flask | None = None) -> Consents:
    return CONSENTS.of(app)


def basis_for(client_id: str | None, app: Flask | None = None) -> tuple[str, str | None]:
    """The legal basis on which an agency receives data: consent, or a law the operator set."""
    return get_consents(app).policy.basis(client_id)


def init_app(app: Flask) -> Consents:
    from idp.audit import log_keys
    from idp.consent import settings as consent_settings
    from idp.consent.openapi import PATHS, SCHEMAS
    from idp.consent.receipts import log_key_signer
    from idp.consent.views import bp
    from infra.openapi import describe

    settings = get_settings(app)
    consents = Consents(policy=consent_settings.load(settings, settings.issuer),
                        sign=log_key_signer(log_keys(app)))
    CONSENTS.install(app, consents)
    app.register_blueprint(bp)
    describe(app, PATHS, SCHEMAS)
    return consents
