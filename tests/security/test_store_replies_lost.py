"""A Redis reply lost after the server ran a command that is not idempotent (a code taken with
its replay mark: `take_and_mark`; a single-use value taken: `take`): redis-py's retry runs it a
second time, which finds nothing to take. The first and only presentation of a code must not
then be answered as a replay (invalid_grant, and a revocation of the grant it creates): the
command is not sent again once sent, and the caller gets StoreError (503, try again)."""

from __future__ import annotations

import json

import pytest

from infra.store.base import StoreError
from tests.support.parts import store_for
from tests.support.redis_faults import lose_the_next_reply


@pytest.fixture
def redis_store():
    yield from store_for("redis", "lost-reply")


def test_a_code_whose_reply_was_lost_is_not_answered_as_a_replay(redis_store, monkeypatch):
    redis_store.set("code", json.dumps({"grant_id": "g-1"}).encode(), 60)
    redis_store.take_and_mark("warm", "warm-mark", "grant_id", 60)  # the script loaded
    lose_the_next_reply(monkeypatch)
    try:
        taken = redis_store.take_and_mark("code", "mark", "grant_id", 60)
    except StoreError:
        return  # the request fails as Redis being away does (503); the client may try again
    assert taken is not None, "the code was taken by the lost attempt and the retry found nothing"


def test_a_single_use_value_whose_reply_was_lost_is_not_lost(redis_store, monkeypatch):
    redis_store.set("once", b"v", 60)
    lose_the_next_reply(monkeypatch)
    try:
        taken = redis_store.take("once")
    except StoreError:
        return
    assert taken == b"v", "taken by the lost attempt; the retry found nothing"


def test_a_replay_mark_whose_reply_was_lost_is_not_taken_for_a_replay(redis_store, monkeypatch):
    """`add` (SET NX: a DPoP proof's jti, a client assertion's jti): the retry finds the key its
    own lost attempt set, and the first use of a proof would be refused as a replay."""
    lose_the_next_reply(monkeypatch)
    try:
        added = redis_store.add("jti", b"1", 60)
    except StoreError:
        return
    assert added is True, "set by the lost attempt; the retry was refused as a replay"
