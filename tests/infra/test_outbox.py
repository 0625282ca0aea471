"""The outbox on SQLite and on PostgreSQL: deliveries committed with their event, each
delivered by one node, taken over when a node dies, retried, and given up in the end."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from infra.db import get_db
from infra.models import OUTBOX
from infra.outbox import DELIVERED, FAILED, Outbox, OutboxWorker, RetryPolicy


class Boom(Exception):
    pass


@pytest.fixture
def database(fresh_app):
    return get_db(fresh_app)


def test_a_message_is_committed_or_rolled_back_with_its_event(database):
    with database.transaction() as session:
        assert Outbox.put(session, topic="logout", key="jti-1", payload={"sid": "s1"})
    with pytest.raises(Boom):
        with database.transaction() as session:
            Outbox.put(session, topic="logout", key="jti-2", payload={"sid": "s2"})
            raise Boom  # the event's transaction fails: its delivery goes with it
    assert [m.key for m in Outbox(database).claim("logout")] == ["jti-1"]


def test_the_same_delivery_put_twice_is_one_message(database):
    with database.transaction() as session:
        assert Outbox.put(session, topic="logout", key="jti-1", payload={})
        assert not Outbox.put(session, topic="logout", key="jti-1", payload={})
    with database.transaction() as session:
        assert not Outbox.put(session, topic="logout", key="jti-1", payload={})
    assert Outbox(database).counts("logout") == {"pending": 1}


def test_concurrent_workers_deliver_each_message_once(database):
    with database.transaction() as session:
        for number in range(60):
            Outbox.put(session, topic="t", key=f"k{number}", payload={"n": number})
    seen: list[str] = []
    lock = threading.Lock()

    def handler(message):
        with lock:
            seen.append(message.key)

    # A claim that outlives any pause of a loaded machine: one that ran out while its holder
    # was still handling the batch would be taken again and delivered twice, by design.
    workers = [OutboxWorker(Outbox(database, holder=f"node-{i}"), {"t": handler}, seconds=600, batch=7)
               for i in range(3)]
    start = threading.Barrier(3)

    def drain(worker):
        start.wait(60)
        for _ in range(40):
            if worker.deliver_due() == 0 and Outbox(database).counts("t").get("pending", 0) == 0:
                return

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(seen) == sorted(f"k{n}" for n in range(60))  # each exactly once
    assert Outbox(database).counts("t") == {DELIVERED: 60}


def test_a_dead_nodes_claim_is_taken_over_and_its_late_answer_ignored(database):
    with database.transaction() as session:
        Outbox.put(session, topic="t", key="k", payload={})
    dead = Outbox(database, holder="dead-node")
    # Long enough that no pause of a loaded machine lets it run out before the next line looks
    # (1.5 s did not); its end is then brought forward, as the clock would bring it.
    [claimed] = dead.claim("t", seconds=600)  # then the node is killed
    other = Outbox(database, holder="node-b")
    assert other.claim("t") == []  # not while the claim lasts
    with database.transaction() as session:
        session.execute(sa.update(OUTBOX).values(claimed_until=OUTBOX.c.claimed_until - 601))
    [taken] = other.claim("t")
    assert taken.key == "k" and taken.attempts == 2
    assert not dead.delivered(claimed)  # too late: node-b owns it now
    assert other.delivered(taken)
    assert other.counts("t") == {DELIVERED: 1}


def test_failures_are_retried_with_growing_pauses_then_given_up(database):
    with database.transaction() as session:
        Outbox.put(session, topic="t", key="k", payload={})
    policy = RetryPolicy(max_attempts=3, first_seconds=0.1, max_seconds=0.2)
    attempts: list[float] = []

    def handler(message):
        attempts.append(time.monotonic())
        raise ConnectionError("the agency did not answer")

    worker = OutboxWorker(Outbox(database), {"t": handler}, seconds=1, policy=policy)
    deadline = time.monotonic() + 60  # a cap only: the wait ends as soon as it holds
    while len(attempts) < 3 and time.monotonic() < deadline:
        worker.deliver_due()
        time.sleep(0.02)
    assert len(attempts) == 3
    assert attempts[1] - attempts[0] >= 0.09 and attempts[2] - attempts[1] >= 0.19
    with database.read() as session:
        row = session.execute(sa.select(OUTBOX)).one()
    assert row.state == FAILED and row.attempts == 3
    assert row.last_error == "ConnectionError: the agency did not answer"
    assert policy.pause(1) == 0.1 and policy.pause(2) == 0.2 and policy.pause(9) == 0.2


def test_messages_wait_until_due(database):
    with database.transaction() as session:
        Outbox.put(session, topic="t", key="later", payload={}, delay_seconds=60)
    assert Outbox(database).claim("t") == []
