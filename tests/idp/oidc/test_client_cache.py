"""Client authentication reads clients through a per-process cache: a change made through
Cédula in any process applies at once (the store's cache generation, `infra.invalidation`), a
change made outside Cédula within `client_cache_seconds`."""

from __future__ import annotations

import sqlalchemy as sa

from idp.oidc import provider
from tests.idp.oidc.conftest import tokens_for


def _introspect(web, agency):
    form, headers = agency.auth({"token": "nothing"})
    return web.post("/introspect", data=form, headers=headers)


def test_a_client_disabled_in_this_process_stops_at_once(client, oidc_app, register, citizen):
    from clients.registry.services import set_enabled
    from infra.db import get_db

    agency = register()
    tokens_for(client, agency)  # the client is now cached
    with get_db(oidc_app).transaction() as session:
        set_enabled(session, agency.client_id, enabled=False)
    response = _introspect(client, agency)
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


def test_a_client_disabled_through_any_connection_of_cedula_stops_at_once(client, oidc_app, register, citizen):
    """No ORM event here (a Core UPDATE, as another process would run it): the write still
    advances the store's cache generation after its commit, and the cached copy is dropped."""
    from clients.registry.models import Client
    from infra.db import get_db

    agency = register()
    assert _introspect(client, agency).status_code == 200  # cached now
    with get_db(oidc_app).engine.begin() as conn:
        conn.execute(sa.update(Client).where(Client.client_id == agency.client_id).values(enabled=False))
    response = _introspect(client, agency)
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"


def test_a_client_disabled_outside_cedula_stops_within_the_bound(client, oidc_app, register, citizen, monkeypatch):
    """SQL by hand (an engine Cédula does not watch) advances no generation: the bound holds."""
    from clients.registry.models import Client
    from infra.db import get_db

    cache = provider(oidc_app).clients
    assert cache.seconds == 30  # config/default.toml [oidc] client_cache_seconds
    agency = register()
    assert _introspect(client, agency).status_code == 200  # cached now
    outside = sa.create_engine(get_db(oidc_app).engine.url)
    try:
        with outside.begin() as conn:
            conn.execute(sa.update(Client).where(Client.client_id == agency.client_id).values(enabled=False))
    finally:
        outside.dispose()
    assert _introspect(client, agency).status_code == 200  # still within the bound
    later = cache.clock() + cache.seconds + 0.01
    monkeypatch.setattr(cache, "clock", lambda: later)
    response = _introspect(client, agency)
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"


def test_unknown_and_disabled_clients_are_never_cached(oidc_app):
    from clients.registry import ClientNotFound
    from idp.oidc.client_cache import ClientCache
    from infra.db import get_db

    cache = ClientCache(seconds=60)
    with get_db(oidc_app).read() as session:
        for _ in range(2):
            try:
                cache.find(session, "nobody")
            except ClientNotFound:
                pass
    assert cache.peek("nobody") is None


def test_a_client_id_registered_again_in_this_process_is_not_answered_from_the_old_row(
        client, oidc_app, register, citizen):
    from clients.registry.models import Client
    from infra.db import get_db

    agency = register()
    assert _introspect(client, agency).status_code == 200  # cached now
    # The row goes away without the ORM (as a reset or another process would) ...
    with get_db(oidc_app).engine.begin() as conn:
        conn.execute(sa.delete(Client).where(Client.client_id == agency.client_id))
    # ... and the same client_id is registered again in this process, with a new secret.
    from clients.registry import Permissions
    from clients.registry.services import register_client

    with get_db(oidc_app).transaction() as session:
        again = register_client(session, metadata={"client_name": "Registro Civil",
                                                   "redirect_uris": [agency.redirect_uri]},
                                permissions=Permissions(operator=True), client_id=agency.client_id,
                                fetch_sector=lambda uri: [agency.redirect_uri])
    assert _introspect(client, agency).status_code == 401  # the old secret no longer works
    agency.secret = again.client_secret
    assert _introspect(client, agency).status_code == 200
