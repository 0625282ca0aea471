"""The citizen's pages: enrolment, passkey sign-in, the account, recovery, sign-out."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from idp.account import settings
    from idp.account.openapi import PATHS
    from idp.account.views import bp
    from infra.openapi import describe

    settings.init_app(app)
    app.register_blueprint(bp)
    describe(app, PATHS)
