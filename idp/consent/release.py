"""Logging the claims an ID token releases, at the token endpoint (authorization code and
refresh grants alike), before the response leaves: no log entry, no tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app

from idp.consent.services import record_release
from infra.db import get_db


def record_token_release(response: Any, *, client: Any = None) -> None:
    """Append `release.id_token` for a token response that carries an ID token about a citizen.

    Responses without a citizen (client credentials) release no personal data: nothing to log;
    a response whose grant logged the release in its own transaction (`logged`) is not logged twice.
    """
    citizen_id = getattr(response, "citizen_id", None)
    if not citizen_id or not getattr(response, "id_token", None) or getattr(response, "logged", False):
        return
    client_id = getattr(response, "client_id", None) or getattr(client, "client_id", None)
    with get_db(current_app).transaction() as session:
        record_release(session, event="release.id_token", citizen_id=citizen_id, client_id=client_id,
                       claims=getattr(response, "released", ()) or ("sub",), now=datetime.now(UTC))
