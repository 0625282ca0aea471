"""Single logout: OpenID Connect RP-Initiated Logout 1.0 and Back-Channel Logout 1.0.

Leaving one agency, signing out on the account pages, ending a session from the sessions page,
a session running out, or the citizen withdrawing an agency's access: each ends the SSO session
(or the agency's part in it) and every agency concerned receives a signed logout token at its
`backchannel_logout_uri`, from the outbox with retries on any node, never inside the
citizen's request.

Public API:

    notify_session_ended(sid=..., citizen_id=..., reason=...)
    logout_client(client_id=..., citizen_id=...)
    logout_revoked_grant(session, grant_id, reason=...)   # in the revocation's transaction
    get_logout(app) -> Logout   (.settings, .worker.run_once())
"""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy.orm import Session

from idp.logout.current import LOGOUT, Logout, get_logout
from idp.logout.errors import LogoutError, LogoutRefused
from idp.logout.settings import LogoutSettings
from idp.sessions import SessionChange, SessionEvent
from infra.config import get_settings
from infra.ops.background import start_with_first_request

__all__ = ["LOGOUT", "Logout", "LogoutError", "LogoutRefused", "LogoutSettings", "get_logout", "init_app",
           "logout_client", "logout_revoked_grant", "notify_session_ended"]

def notify_session_ended(*, sid: str, citizen_id: str, reason: str) -> None:
    """Back-Channel Logout 1.0, 2.7: every agency that took part in session `sid` is told."""
    from idp.logout import backchannel

    backchannel.notify_session_ended(sid=sid, citizen_id=citizen_id, reason=reason)


def logout_client(*, client_id: str, citizen_id: str, reason: str = "consent_revoked") -> None:
    """Log the citizen out of one agency in every live session (consent withdrawn)."""
    from idp.logout import backchannel

    backchannel.logout_client(client_id=client_id, citizen_id=citizen_id, reason=reason)


def logout_revoked_grant(session: Session, grant_id: str | uuid.UUID, *, reason: str) -> bool:
    """Log the agency of a grant the provider revoked (a replayed code or refresh token) out of
    its session."""
    from idp.logout import backchannel

    if reason not in backchannel.LOGGED_OUT_ON_REVOCATION:
        return False
    return backchannel.logout_revoked_grant(session, grant_id, reason=reason)


def _on_session_event(change: SessionChange) -> None:
    from flask import current_app

    from idp.logout import expiry
    from infra.store import get_store

    store = get_store(current_app)
    session = change.session
    if change.event is SessionEvent.ENDED:
        expiry.forget(store, session.sid)
        notify_session_ended(sid=session.sid, citizen_id=session.citizen_id,
                             reason=change.reason or "logout")
    else:  # started or re-authenticated: watched until it runs out
        expiry.track(store, session, ends_at=change.ends_at, longest_seconds=change.longest_seconds)


def init_app(app: Flask) -> Logout:
    """Settings, the session listener, the pages, and the delivery thread (started with the
    first request this process serves, so commands like `cedula keys` never start one)."""
    from idp.logout import backchannel, end_session, views
    from idp.logout import settings as logout_settings
    from idp.logout.deliveries import LogoutWorker
    from idp.oidc import language_choice
    from idp.oidc.grants import ON_REVOKED
    from idp.sessions import add_listener

    settings = get_settings(app)
    logout = Logout(app=app, settings=logout_settings.load(settings, settings.issuer),
                    announce=notify_session_ended)
    logout.worker = LogoutWorker(app, handlers=backchannel.HANDLERS,
                                 chores=(logout.process_expiries,), settings=logout.settings)
    LOGOUT.install(app, logout)
    add_listener(app, _on_session_event)
    ON_REVOKED.install(app, logout_revoked_grant)
    app.register_blueprint(end_session.bp)
    app.register_blueprint(views.bp)
    language_choice.follow(app, end_session.PENDING_PATH, end_session.PENDING_PARAMETER,
                           end_session.choose_language)
    language_choice.follow(app, "/signed-out", "r", end_session.choose_signed_out_language)

    if logout.settings.background:
        start_with_first_request(app, logout.worker)

    return logout
