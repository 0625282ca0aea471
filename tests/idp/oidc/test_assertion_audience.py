"""private_key_jwt audience (issue 14): a new client's assertions name the issuer, as one
string (FAPI 2.0 Security Profile 5.3.2.1; the class of CVE-2025-27370/27371, where an
assertion made for one endpoint or server is accepted by another). Clients an operator puts on
the legacy rule keep the RFC 7523 behaviour they were registered with.
"""

from __future__ import annotations

import pytest

from idp.oidc import provider
from tests.idp.oidc.conftest import Agency

ISSUER = "http://localhost"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def attempt(client, agency: Agency, path: str = "/token", **assertion):
    form = {"client_assertion_type": ASSERTION, "client_assertion": agency.assertion(**assertion)}
    if path == "/token":
        form.update(grant_type="authorization_code", code="not-a-code")
    else:
        form.update(token="not-a-token")
    return client.post(path, data=form)


def authenticated(response) -> bool:
    """Client authentication passed when the endpoint goes on to judge the request itself."""
    return response.status_code != 401


STRICTLY_REFUSED = [
    ("/token", f"{ISSUER}/token"),
    ("/introspect", f"{ISSUER}/introspect"),
    ("/revoke", f"{ISSUER}/revoke"),
    ("/token", [ISSUER]),
    ("/token", [ISSUER, f"{ISSUER}/token"]),
    ("/token", [f"{ISSUER}/token", "https://attacker.example"]),
    ("/token", f"{ISSUER}/"),
]


@pytest.mark.parametrize(("path", "aud"), STRICTLY_REFUSED)
def test_new_clients_accept_only_the_issuer_as_a_single_string(client, register, path, aud):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    refused = attempt(client, agency, path, aud=aud)
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    assert refused.get_json()["error_description"] == (
        f"client_assertion aud must be the issuer {ISSUER!r}, as a single string (not an array, "
        f"not an endpoint), got {aud!r}")
    assert authenticated(attempt(client, agency, path, aud=ISSUER))


@pytest.mark.parametrize("path", ["/token", "/introspect", "/revoke"])
def test_the_legacy_rule_keeps_the_endpoint_and_array_audiences(client, register, oidc_app, path):
    from clients.registry.services import set_assertion_audience
    from infra.db import get_db

    agency = register(token_endpoint_auth_method="private_key_jwt")
    with get_db(oidc_app).transaction() as session:
        set_assertion_audience(session, agency.client_id, "legacy")
    provider(oidc_app).clients.clear()
    for aud in (ISSUER, f"{ISSUER}/token", f"{ISSUER}{path}", [f"{ISSUER}/token", "https://x.example"]):
        assert authenticated(attempt(client, agency, path, aud=aud)), aud
    refused = attempt(client, agency, path, aud="https://other.example/token")
    assert refused.status_code == 401 and "aud must be the issuer or this endpoint" in \
        refused.get_json()["error_description"]


def test_clients_registered_before_the_strict_rule_are_on_the_legacy_rule(backend, tmp_path):
    """The migration puts existing clients on legacy (no agency breaks on upgrade); new rows are strict."""
    import sqlalchemy as sa
    from alembic import command

    from idp.schema import SCHEMA
    from infra.db import create_engine
    from tests.support.live import database_for

    insert = sa.text("INSERT INTO clients (client_id, metadata, operator_registered, enabled, created_at, "
                     "updated_at) VALUES (:id, '{}', :yes, :yes, :at, :at)")
    values = {"yes": True, "at": "2026-01-01 00:00:00+00:00"}
    with database_for(backend.name, tmp_path) as url:
        config = SCHEMA.alembic_config(url)
        command.upgrade(config, "clients@clients_0001")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(insert, {"id": "old", **values})
        command.upgrade(config, "heads")
        with engine.begin() as connection:
            connection.execute(insert, {"id": "new", **values})
            rows = dict(connection.execute(sa.text("SELECT client_id, assertion_audience FROM clients")).all())
        engine.dispose()
    assert rows == {"old": "legacy", "new": "strict"}
