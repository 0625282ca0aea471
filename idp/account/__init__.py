"""The citizen's pages: enrolment, passkey sign-in, the account, recovery, sign-out."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from idp.account import passkey_devices, settings
    from idp.account.openapi import PATHS
    from idp.account.views import bp
    from idp.sessions import add_listener
    from infra.openapi import describe

    settings.init_app(app)
    add_listener(app, passkey_devices.on_session_event)
    app.register_blueprint(bp)
    describe(app, PATHS)
