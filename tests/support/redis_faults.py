"""Faults on a real Redis connection, for the tests of what a lost reply must and must not do."""

from __future__ import annotations

import pytest
from redis.connection import Connection
from redis.exceptions import TimeoutError as RedisTimeout


def lose_the_next_reply(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The next reply read is lost (a timeout) after the server answered it: the command ran.
    The list's one value turns True when that reply has been lost."""
    read = Connection.read_response
    lost = [False]

    def losing(self, *args, **kwargs):
        response = read(self, *args, **kwargs)
        if not lost[0]:
            lost[0] = True
            raise RedisTimeout("Timeout reading from socket")
        return response

    monkeypatch.setattr(Connection, "read_response", losing)
    # The store's quick path reads its replies itself (`infra.store.redis._exchange`).
    from infra.store import redis as redis_store

    exchange = redis_store._exchange

    def losing_exchange(connection, packed):
        reply = exchange(connection, packed)
        if not lost[0]:
            lost[0] = True
            connection.disconnect()  # as a timeout drops it
            raise RedisTimeout("Timeout reading from socket")
        return reply

    monkeypatch.setattr(redis_store, "_exchange", losing_exchange)
    return lost
