"""What a worker keeps in memory (clients, what access tokens stand on) follows every change
made by any other worker at once (issue 16): the change's commit sets a new cache generation in
the shared store, which each worker reads per request. Two apps on one database and one Redis
play two workers; the first caches, the second changes, the first must see it on its very next
request. The embedded default (the in-process store) runs one process only: nothing to share."""

from __future__ import annotations

import pytest

from idp.oidc import provider
from infra.config import get_settings
from infra.db import get_db
from infra.store import get_store
from keys import get_service
from tests.conftest import settings_for
from tests.idp.oidc.conftest import bearer, tokens_for
from tests.idp.oidc.test_standing import OFFLINE, narrow, withdraw


@pytest.fixture(scope="module")
def second_worker(app, backend):
    """Another process of the same deployment: same database, same Redis keys, same secrets."""
    if backend.name != "production":
        pytest.skip("the in-process store belongs to one process: several workers need Redis")
    from idp import create_app

    settings = get_settings(app)
    other = create_app(settings_for(backend, settings.data_dir,
                                    store={"key_prefix": str(settings["store"]["key_prefix"])}))
    other.testing = True
    yield other
    get_db(other).dispose()
    get_store(other).close()


@pytest.fixture
def worker_b(second_worker, fresh_app):
    get_service(second_worker).invalidate()  # the tables were emptied
    provider(second_worker).clients.clear()
    provider(second_worker).token_states.clear()
    provider(second_worker).decisions.clear()
    provider(second_worker).sign_in_levels.clear()
    return second_worker


def browser_on(worker, client):
    """The citizen's browser (its cookies) talking to the other worker."""
    other = worker.test_client()
    for (domain, path, name), cookie in client._cookies.items():
        other.set_cookie(name, cookie.value, domain=domain, path=path)
    return other


def userinfo(client, token):
    return client.get("/userinfo", headers=bearer(token))


@pytest.fixture
def agency(register):
    return register(scope=OFFLINE)


def test_a_consent_withdrawn_on_another_worker_stops_tokens_here_at_once(client, agency, citizen, worker_b):
    token = tokens_for(client, agency, scope=OFFLINE)["access_token"]
    assert userinfo(client, token).status_code == 200
    assert userinfo(client, token).status_code == 200  # from what this worker keeps
    withdraw(browser_on(worker_b, client), agency)
    refused = userinfo(client, token)
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_token"


def test_a_consent_narrowed_on_another_worker_narrows_userinfo_here_at_once(client, agency, citizen, worker_b):
    token = tokens_for(client, agency, scope=OFFLINE)["access_token"]
    assert "email" in userinfo(client, token).get_json()
    narrow(browser_on(worker_b, client), agency, untick={"email"})
    answer = userinfo(client, token)
    assert answer.status_code == 200 and "email" not in answer.get_json()


def test_a_client_disabled_on_another_worker_stops_here_at_once(client, agency, citizen, worker_b):
    import sqlalchemy as sa

    from clients.registry.models import Client

    token = tokens_for(client, agency, scope=OFFLINE)["access_token"]
    form, headers = agency.auth({"token": token})
    assert client.post("/introspect", data=form, headers=headers).get_json()["active"] is True
    assert userinfo(client, token).status_code == 200
    # A Core UPDATE: no ORM event of this process (both apps live in it) can tell the first.
    with get_db(worker_b).engine.begin() as conn:
        conn.execute(sa.update(Client).where(Client.client_id == agency.client_id).values(enabled=False))
    refused = userinfo(client, token)
    assert refused.status_code == 401
    assert "disabled" in refused.get_json()["error_description"]
    answer = client.post("/introspect", data=form, headers=headers)
    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_client"


def test_a_grant_revoked_on_another_worker_stops_its_access_tokens_here_at_once(client, agency, citizen, worker_b):
    tokens = tokens_for(client, agency, scope=OFFLINE)
    assert userinfo(client, tokens["access_token"]).status_code == 200
    form, headers = agency.auth({"token": tokens["refresh_token"], "token_type_hint": "refresh_token"})
    assert worker_b.test_client().post("/revoke", data=form, headers=headers).status_code == 200
    refused = userinfo(client, tokens["access_token"])
    assert refused.status_code == 401
    assert refused.get_json()["error_description"] == "the grant of this access token was revoked or has expired"


def test_what_a_worker_keeps_is_used_while_nothing_changes(client, agency, citizen):
    """The cache is real: with no change, the second request does not read the grant again."""
    import sqlalchemy as sa

    token = tokens_for(client, agency, scope=OFFLINE)["access_token"]
    assert userinfo(client, token).status_code == 200
    seen: list[str] = []
    engine = get_db(client.application).engine
    listener = lambda _c, _cur, text, *_a: seen.append(text.split()[0] + " " + text.split()[-1])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        assert userinfo(client, token).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert not [s for s in seen if s.startswith("SELECT")], seen  # only the log entry is written


def test_a_sign_in_does_not_invalidate_what_workers_keep(client, agency, citizen):
    """A sign-in updates its passkey's counter: nothing cached depends on it, so the cache
    generation stays (or every sign-in anywhere would empty every worker's caches)."""
    from tests.idp.conftest import sign_in

    invalidation = provider(client.application).invalidation
    before = invalidation.generation()
    assert sign_in(client.application.test_client(), citizen.key).status_code == 200
    assert invalidation.generation() == before


def test_a_passkey_removed_on_another_worker_changes_the_sign_in_level_here(client, agency, citizen, worker_b):
    """The level of an SSO session comes from its passkey; a change of it applies at once."""
    import sqlalchemy as sa

    from idp.citizens.models import Passkey

    levels = provider(client.application).sign_in_levels
    tokens_for(client, agency, scope=OFFLINE)  # /authorize kept this sign-in's level
    assert levels._entries
    before = provider(client.application).invalidation.generation()
    with get_db(worker_b).engine.begin() as conn:
        conn.execute(sa.update(Passkey).values(backup_eligible=True))
    generation = provider(client.application).invalidation.generation()
    assert generation != before
    assert all(levels.get(key, generation) is None for key in list(levels._entries))


def test_a_client_secret_changed_on_another_worker_is_refused_here_at_once(client, agency, citizen, worker_b):
    import sqlalchemy as sa

    from clients.registry.models import Client
    from clients.registry.services import _digest
    from tests.idp.oidc.conftest import basic_auth

    token = tokens_for(client, agency, scope=OFFLINE)["access_token"]
    form, headers = agency.auth({"token": token})
    assert client.post("/introspect", data=form, headers=headers).status_code == 200  # cached here
    # A Core UPDATE on the other worker's connection: only the cache generation tells this one.
    with get_db(worker_b).engine.begin() as conn:
        conn.execute(sa.update(Client).where(Client.client_id == agency.client_id)
                     .values(secret_hash=_digest("a-new-secret")))
    answer = client.post("/introspect", data=form, headers=headers)
    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_client"
    assert client.post("/introspect", data=form,
                       headers=basic_auth(agency.client_id, "a-new-secret")).status_code == 200
