"""The refusals of a refresh token whose grant ended or which expired name the way out
(review, agencydev12).

Its owner presenting a refresh token whose grant was revoked (consent withdrawn, signed out) or
expired was told "the grant of this refresh token was revoked or has expired", one whose own
lifetime ran out "the refresh token has expired": true, but neither told the agency's developer
what to do next, as `refresh.NOT_VALID` does for an unknown token. Now both say to start a new
authorization request to get new tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from idp.oidc.models import Grant, RefreshToken
from infra.db import get_db
from tests.idp.oidc.conftest import citizen, oidc_app, register, token_request, tokens_for  # noqa: F401 - the fixtures

WAY_OUT = "start a new authorization request to get new tokens"


def _refused(client, agency, refresh_token: str) -> str:
    refused = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": refresh_token})
    assert refused.status_code == 400, refused.get_json()
    body = refused.get_json()
    assert body["error"] == "invalid_grant", body
    return body["error_description"]


def test_a_refresh_token_whose_grant_ended_says_to_start_a_new_authorization_request(
        client, register, citizen, fresh_app):  # noqa: F811
    agency = register(scope="openid profile offline_access")
    past = datetime.now(UTC) - timedelta(minutes=1)
    for ended in ({"revoked_at": past, "revoked_reason": "consent_withdrawn"}, {"expires_at": past}):
        issued = tokens_for(client, agency, scope="openid profile offline_access")
        with get_db(fresh_app).transaction() as session:
            grant = session.execute(sa.select(RefreshToken.grant_id)).scalars().all()
            session.execute(sa.update(Grant).where(Grant.id.in_(grant)).values(**ended))
        description = _refused(client, agency, issued["refresh_token"])
        assert WAY_OUT in description, description
        for reason in ("revoked", "expired"):
            assert reason in description, description


def test_an_expired_refresh_token_says_to_start_a_new_authorization_request(
        client, register, citizen, fresh_app):  # noqa: F811
    agency = register(scope="openid profile offline_access")
    issued = tokens_for(client, agency, scope="openid profile offline_access")
    with get_db(fresh_app).transaction() as session:
        session.execute(sa.update(RefreshToken).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    description = _refused(client, agency, issued["refresh_token"])
    assert "expired" in description and WAY_OUT in description, description
