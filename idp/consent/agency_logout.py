"""Ending an agency's sessions when its access is withdrawn, through OpenID Connect
Back-Channel Logout 1.0 (`idp.logout`: a queue of logout tokens delivered with retries)."""

from __future__ import annotations

import logging

from idp.sessions import end_session, sessions_for

log = logging.getLogger(__name__)


def logout_agency(*, client_id: str, citizen_id: str, reason: str) -> None:
    """Queue logout tokens for every session the agency has of this citizen (section 2.7)."""
    from idp.logout import logout_client

    logout_client(client_id=client_id, citizen_id=citizen_id, reason=reason)


def end_all_sessions(*, citizen_id: str) -> int:
    """End every SSO session of the citizen (each ending tells the agencies of that session)."""
    ended = 0
    for session in sessions_for(citizen_id):
        end_session(sid=session.sid, reason="account_closed")
        ended += 1
    return ended
