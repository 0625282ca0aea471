"""Round trips of a `/token` (code + PKCE) on PostgreSQL + Redis (issue 16): counted where they
leave the process, not timed. Once the process has seen the citizen, the agency and the
decision, a code exchange is one query to PostgreSQL (the group commit's BEGIN, grant, log
entry, COMMIT: one transaction, `infra.group_commit`) and two commands to Redis (the code taken
with the session it names, guarded by the client authentication's marks and the cache generation
its cached client was read under; the code's void mark after the commit). When the guard does
not hold, the exchange goes the usual way: three commands, the same answers."""

from __future__ import annotations

import collections
import threading
from typing import Any

import pytest
import redis

from infra import group_commit
from infra.db import get_db
from tests.idp.oidc.conftest import exchange, get_code, s256


@pytest.fixture
def round_trips(fresh_app, monkeypatch):
    """Every query this thread sends to PostgreSQL (psycopg's cursors, its own BEGIN/COMMIT/
    ROLLBACK, the group commit's PQexec) and every command to Redis, by its first word."""
    if get_db(fresh_app).engine.dialect.name != "postgresql":
        pytest.skip("SQLite and the in-process store make no round trips")
    import psycopg
    from psycopg._connection_base import BaseConnection

    me = threading.get_ident()
    seen: collections.Counter[str] = collections.Counter()

    def counting(original, how: str):
        def counted(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() == me:
                query = args[1]
                text = query if isinstance(query, str) else bytes(query).decode() if isinstance(
                    query, bytes | bytearray) else repr(query)
                seen[f"postgresql {how} {' '.join(text.split()[:1])}"] += 1
            return original(*args, **kwargs)
        return counted

    monkeypatch.setattr(BaseConnection, "_exec_command", counting(BaseConnection._exec_command, "psycopg"))
    monkeypatch.setattr(psycopg.Cursor, "execute", counting(psycopg.Cursor.execute, "cursor"))
    monkeypatch.setattr(psycopg.Cursor, "executemany", counting(psycopg.Cursor.executemany, "cursor"))
    if hasattr(group_commit, "_exec"):
        monkeypatch.setattr(group_commit, "_exec", counting(group_commit._exec, "PQexec"))
    send = redis.connection.AbstractConnection.send_packed_command

    def sent(self: Any, command: Any, check_health: bool = True) -> Any:
        if threading.get_ident() == me:
            packed = b"".join(command) if isinstance(command, list) else command
            seen["redis " + packed.split(b"\r\n")[2].decode().upper()] += 1
        return send(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", sent)
    return seen


def test_a_code_exchange_is_one_postgresql_query_and_two_redis_commands(client, citizen, register,
                                                                           round_trips):
    agency = register()
    for _ in range(2):  # the first exchanges read the citizen, the decision, the sector
        code, flow = get_code(client, agency)
        assert exchange(client, agency, code, flow).status_code == 200
    for _ in range(3):
        code, flow = get_code(client, agency)
        round_trips.clear()
        answer = exchange(client, agency, code, flow)
        assert answer.status_code == 200, answer.get_json()
        # The group commit's one query goes to libpq itself, not through a psycopg cursor (whose
        # generators and autocommit switches cost more of this process's CPU than the round trip).
        assert dict(round_trips) == {"postgresql PQexec BEGIN;": 1, "redis EVALSHA": 1,
                                     "redis MGET": 1}, round_trips


def _code_kept(app, code: str, agency, flow) -> bool:
    from idp.oidc import codes
    from infra.store import get_store

    key = codes._key(code, agency.client_id, s256(flow.verifier), agency.redirect_uri)
    return get_store(app).get(codes.CODE_PREFIX + key) is not None


def test_a_changed_cache_generation_sends_the_exchange_the_usual_way(app, client, citizen, register, round_trips):
    from idp.oidc.current import provider

    agency = register()
    for _ in range(2):
        code, flow = get_code(client, agency)
        assert exchange(client, agency, code, flow).status_code == 200
    # The usual way once, uncounted: every script it uses is then known to the server (a test
    # that flushed Redis's scripts before this one made the counted exchange load one again).
    code, flow = get_code(client, agency)
    with app.app_context():
        provider().invalidation.bump()
    assert exchange(client, agency, code, flow).status_code == 200
    code, flow = get_code(client, agency)
    with app.app_context():
        provider().invalidation.bump()  # a client changed somewhere: the cached row is not trusted
    round_trips.clear()
    answer = exchange(client, agency, code, flow)
    assert answer.status_code == 200, answer.get_json()
    # The guarded take refused (nothing taken), then the marks, the take, the void and withdrawal marks (the
    # database is read again too: the new generation retires the cached citizen and decision).
    sent = {name: count for name, count in round_trips.items() if name.startswith("redis")}
    assert sent == {"redis EVALSHA": 2, "redis MGET": 2}, round_trips


def test_a_refused_address_takes_no_code_even_with_the_client_cached(app, client, citizen, register, round_trips):
    """The failure marks are checked as the code is taken: a refused address gets the throttle's
    answer, and the code stays for the agency's own servers."""
    from tests.support.basic_auth import basic_auth

    agency = register()
    code, flow = get_code(client, agency)
    assert exchange(client, agency, code, flow).status_code == 200  # the client is cached now
    code, flow = get_code(client, agency)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": agency.redirect_uri,
            "code_verifier": flow.verifier}
    for _ in range(10):  # [oidc] client_auth_failures
        assert client.post("/token", data=form, headers=basic_auth(agency.client_id, "guess"),
                           environ_overrides={"REMOTE_ADDR": "203.0.113.9"}).status_code == 401
    refused = client.post("/token", data=form, headers=basic_auth(agency.client_id, agency.secret),
                          environ_overrides={"REMOTE_ADDR": "203.0.113.9"})
    assert refused.status_code == 429, refused.get_json()
    assert _code_kept(app, code, agency, flow)
    assert exchange(client, agency, code, flow).status_code == 200
    assert not _code_kept(app, code, agency, flow)
