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

from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app

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


def _release_refused(exc: sa.exc.IntegrityError) -> Any:
    """A release entry refused in a transaction of the request's own (its consent no longer in
    force when the entry was written, `services.release_writes`) is `ConsentNotInForce` (400
    invalid_grant), not a 500; any other IntegrityError goes to the application's handler of
    every unexpected error. (An error handler, not an engine's `handle_error` listener: that
    one makes every statement on the engine dispatch its events, about 100k instructions more
    per UserInfo request.)"""
    from idp.consent.services import refused

    refusal = refused(exc)
    if isinstance(refusal, ConsentNotInForce):
        return _not_in_force(refusal)
    unexpected = current_app.error_handler_spec[None][None].get(Exception)
    if unexpected is None:
        raise exc
    return unexpected(exc)


def init_app(app: Flask) -> Consents:
    from idp.audit import log_keys
    from idp.consent import settings as consent_settings
    from idp.consent.issued_grants import ISSUED_GRANTS
    from idp.consent.openapi import PATHS, SCHEMAS
    from idp.consent.receipts import log_key_signer
    from idp.consent.views import bp
    from infra.openapi import describe

    settings = get_settings(app)
    consents = Consents(policy=consent_settings.load(settings, settings.issuer),
                        sign=log_key_signer(log_keys(app)), grants=ISSUED_GRANTS.of(app))
    CONSENTS.install(app, consents)
    app.register_error_handler(ConsentNotInForce, _not_in_force)
    app.register_error_handler(sa.exc.IntegrityError, _release_refused)
    app.register_blueprint(bp)
    describe(app, PATHS, SCHEMAS)
    return consents
