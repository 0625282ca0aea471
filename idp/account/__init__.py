"""The citizen's pages: enrolment, passkey sign-in, the account, recovery, sign-out."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from idp.account import notice_locale, recovery_sessions, settings, sign_ins
    from idp.account.openapi import PATHS
    from idp.account.views import bp
    from idp.sessions import add_listener, check_recovery_with
    from infra.openapi import describe

    settings.init_app(app)
    add_listener(app, sign_ins.on_session_event)
    add_listener(app, notice_locale.on_session_event)
    check_recovery_with(app, recovery_sessions.holds)
    app.register_blueprint(bp)
    describe(app, PATHS)
