"""RFC 7662 section 2.2: introspection says a refresh token is active only while /token would
take it. A portal whose registration no longer includes the refresh_token grant (the operator
took it away, RFC 7591 section 2 `grant_types`) is refused every refresh at /token
(unauthorized_client), yet /introspect went on answering `active: true` with its scope and
subject for the refresh tokens issued before: a resource server trusting it took a token that
can no longer be used for one that can."""

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
