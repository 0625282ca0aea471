"""Logging the claims an ID token releases, at the token endpoint (authorization code and
refresh grants alike), before the response leaves: no log entry, no tokens.

It serves the token endpoint's grants, so it lives with them; `idp.consent` owns the log
(`record_release`) and knows nothing of the token responses."""

from __future__ import annotations

from datetime import UTC, datetime

from clients.registry import Client
from idp.consent.services import record_release
from idp.oidc.client_credentials import ClientCredentialsResponse
from idp.oidc.services import TokenResponse
from infra.db import get_db


def record_token_release(response: TokenResponse | ClientCredentialsResponse, *, client: Client) -> None:
    """Append `release.id_token` for a token response that carries an ID token about a citizen.

    Responses without a citizen (client credentials) release no personal data: nothing to log;
    a response whose grant logged the release in its own transaction (`logged`) is not logged twice.
    """
    if (not isinstance(response, TokenResponse) or not response.citizen_id or not response.id_token
            or response.logged):
        return
    with get_db().transaction() as session:
        record_release(session, event="release.id_token", citizen_id=response.citizen_id,
                       client_id=response.client_id or client.client_id,
                       claims=response.released or ("sub",), now=datetime.now(UTC))
