"""RFC 7662 section 2.2: introspection answers from what a token stands on now, as /token and
UserInfo judge it. A portal whose registration no longer includes the refresh_token grant (the
operator took it away, RFC 7591 section 2 `grant_types`) is refused every refresh at /token
(unauthorized_client), yet /introspect went on answering `active: true` with its scope and
subject for the refresh tokens issued before; and an access token was introspected with the
scope it was issued with after the citizen narrowed the consent, while its refresh token was
introspected narrowed: a resource server trusting the answer took a token that can no longer
be used for one that can, or a scope the citizen withdrew for one still allowed."""

from __future__ import annotations

from clients.registry.services import upsert_operator_client
from infra.db import get_db
from tests.idp.oidc.conftest import token_request, tokens_for
from tests.idp.oidc.test_standing import OFFLINE, introspect


def _operator_drops_refresh(app, agency) -> None:
    metadata = {**agency.metadata, "grant_types": ["authorization_code"]}
    with get_db(app).transaction() as session:
        upsert_operator_client(session, client_id=agency.client_id, metadata=metadata,
                               fetch_sector=lambda _uri: metadata["redirect_uris"])


def test_a_refresh_token_of_a_client_no_longer_registered_for_refresh_is_inactive(client, register, citizen):
    agency = register(scope=OFFLINE)
    old = tokens_for(client, agency, scope=OFFLINE)
    assert introspect(client, agency, old["refresh_token"]).get_json()["active"] is True
    _operator_drops_refresh(client.application, agency)
    refused = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": old["refresh_token"]})
    assert (refused.status_code, refused.get_json()["error"]) == (400, "unauthorized_client")
    assert introspect(client, agency, old["refresh_token"]).get_json() == {"active": False}


def test_an_access_token_introspected_after_the_consent_narrowed_reports_the_narrowed_scope(
        client, register, citizen):
    """RFC 7662 section 2.2 `scope`: what the token may still be used for. The citizen unticked
    the email claims: UserInfo no longer releases them with the older access token, the older
    refresh token is introspected (and refreshed) without `email`, yet the access token was
    introspected with it, so a resource server trusting the answer would still serve it."""
    from tests.idp.oidc.test_standing import narrow

    agency = register(scope=OFFLINE)
    old = tokens_for(client, agency, scope=OFFLINE)
    assert introspect(client, agency, old["access_token"]).get_json()["scope"] == OFFLINE
    narrow(client, agency, untick={"email", "email_verified"})
    seen = introspect(client, agency, old["access_token"]).get_json()
    assert (seen["active"], seen["scope"]) == (True, "openid profile offline_access")
    assert introspect(client, agency, old["refresh_token"]).get_json()["scope"] == seen["scope"]
