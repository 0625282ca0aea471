"""The citizen's pages: enrolment, passkey sign-in, the account, recovery, sign-out."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from idp.account.views import bp

    app.register_blueprint(bp)
