"""Consent: the citizen decides which agency receives which data, sees every release in the
data-sharing log (`idp.audit`), withdraws an agency's access, downloads everything, closes
the account.

Public API:

    get_consents(app) -> Consents        (.policy: ConsentPolicy, .sign: ReceiptSigner,
                                          .grants: the provider's, idp.oidc installs them)
    basis_for(client_id, app=None) -> ("consent", None) | ("law", "<law text>")
    services.current / prior / record / record_release / connected / revoke / withdraw_all
    closure.close_account(...)
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, Response

from idp.consent.consents import CONSENTS, Consents, basis_for, get_consents
from idp.consent.errors import AccountClosed, AgencyNotConnected, ConsentError, ConsentNotInForce
from idp.consent.settings import ConsentPolicy
from infra.config import get_settings

__all__ = ["CONSENTS", "AccountClosed", "AgencyNotConnected", "ConsentError", "ConsentPolicy", "Consents",
           "basis_for", "get_consents", "init_app"]

def _not_in_force(exc: ConsentNotInForce) -> Response:
    """A release refused for want of a consent in force (the token endpoint's log before the
    tokens leave): a 400 in the OAuth shape, not a 500."""
    from infra.web.errors import json_error

    return json_error(exc.status, exc.error, exc.description)


def _release_refused(exc: Exception) -> Response | None:
    """A release entry refused in a transaction of the request's own (its consent no longer in
    force when the entry was written, `services.release_writes`) is `ConsentNotInForce` (400
    invalid_grant), not a 500; None for any other IntegrityError (infra's unexpected-error
    handling answers it). (A refinement of the unexpected error, not an engine's `handle_error`
    listener: that one makes every statement on the engine dispatch its events, about 100k
    instructions more per UserInfo request.)"""
    from idp.consent.services import refused

    refusal = refused(exc) if isinstance(exc, sa.exc.IntegrityError) else None
    return _not_in_force(refusal) if isinstance(refusal, ConsentNotInForce) else None


def init_app(app: Flask) -> Consents:
    from idp.audit import log_keys
    from idp.consent import settings as consent_settings
    from idp.consent.issued_grants import ISSUED_GRANTS
    from idp.consent.openapi import PATHS, SCHEMAS
    from idp.consent.receipts import log_key_signer
    from idp.consent.views import bp
    from infra.openapi import describe
    from infra.web.errors import refine_unexpected

    settings = get_settings(app)
    consents = Consents(policy=consent_settings.load(settings, settings.issuer),
                        sign=log_key_signer(log_keys(app)), grants=ISSUED_GRANTS.of(app))
    CONSENTS.install(app, consents)
    app.register_error_handler(ConsentNotInForce, _not_in_force)
    refine_unexpected(app, sa.exc.IntegrityError, _release_refused)
    app.register_blueprint(bp)
    describe(app, PATHS, SCHEMAS)
    return consents
