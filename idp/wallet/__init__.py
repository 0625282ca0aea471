"""Documents in citizens' wallets, and wallets as a way to prove who one is.

- issuing (OpenID4VCI 1.0): every issued document can also be added to a wallet as an
  SD-JWT VC (`dc+sd-jwt`) signed with the agency's seal (`vci_metadata`, `offer`, `nonce`,
  `credential`, `sd_jwt`, `sd_jwt_vc`);
- status (Token Status List): one list per agency; a revoked document's credential is
  invalid (`status_list`);
- presentations (OpenID4VP 1.0): proofing, enrolment and sign-in with a PID (`vp_request`,
  `vp_response`, `proofing`, `enrolment`, `sign_in`);
- the operator's commands (`cli`) and the pages (`views`, `authorization_views`, `presentation_views`).
"""

from __future__ import annotations

from flask import Flask

from idp.wallet.service import WALLET, Wallet, get_wallet

__all__ = ["Wallet", "get_wallet", "init_app"]


def init_app(app: Flask) -> Wallet | None:
    """Build the wallet service and register its endpoints (nothing if wallet.enabled is off)."""
    import keys
    from idp.wallet import authorization_views, presentation_views  # noqa: F401 - their routes join the blueprint
    from idp.wallet import settings as wallet_settings
    from idp.wallet.views import bp
    from infra.config import get_settings
    from infra.db import get_db
    from infra.store import get_store
    from signing.service import get_documents

    loaded = wallet_settings.load(get_settings(app))
    if not loaded.enabled:
        return None
    wallet = WALLET.install(app, Wallet(settings=loaded, database=get_db(app),
                                        store=get_store(app), keys=keys.get_service(app),
                                        directory=get_documents(app).directory))
    from infra.outbound import get_outbound

    wallet.outbound = get_outbound(app)
    app.register_blueprint(bp)
    from idp.wallet.openapi import PATHS
    from infra.openapi import describe

    describe(app, PATHS)
    from idp.wallet import verification
    from signing.verify import other_forms

    other_forms.register(app, verification.provider(get_db(app)))
    app.jinja_env.globals["wallet_offers"] = True
    # The sign-in page's second route (idp/wallet/sign_in.py), when a PID issuer is trusted.
    app.jinja_env.globals["wallet_sign_in"] = wallet.sign_in_offered
    return wallet
