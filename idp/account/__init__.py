"""The citizen's pages: enrolment, passkey sign-in, the account, recovery, sign-out."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from idp.account import settings
    from idp.account.views import bp

    settings.init_app(app)
    app.register_blueprint(bp)
