"""Leases in the database: one holder at a time, taken over after expiry, fenced by a token.
Run on SQLite and on PostgreSQL (the `app` fixture's two backends)."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from infra.db import get_db
from infra.leases import Leases
from infra.models import LEASES
from infra.ops.background import Singleton


@pytest.fixture
def leases(fresh_app):
    return Leases(get_db(fresh_app))


def _wait_until_expired(leases: Leases, name: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while leases.current(name) is not None:
        assert time.monotonic() < deadline, "the lease did not expire"
        time.sleep(0.05)


def test_one_holder_at_a_time(leases):
    first = leases.acquire("job", holder="a", seconds=30)
    assert first is not None and first.token == 1 and first.holder == "a"
    assert leases.acquire("job", holder="b", seconds=30) is None
    again = leases.acquire("job", holder="a", seconds=30)  # the holder extends it
    assert again is not None and again.token == 1 and again.expires_at >= first.expires_at
    assert leases.current("job").holder == "a"


def test_an_expired_lease_changes_hands_with_a_larger_token(leases):
    first = leases.acquire("job", holder="dead-node", seconds=0.2)
    _wait_until_expired(leases, "job")
    second = leases.acquire("job", holder="b", seconds=30)
    assert second is not None and second.token == 2
    assert leases.renew(first) is None  # the old holder learns it lost the lease
    with leases.database.transaction() as session:
        assert not leases.is_current(session, first)
        assert leases.is_current(session, second)


def test_release_lets_the_next_holder_in_at_once(leases):
    lease = leases.acquire("job", holder="a", seconds=30)
    leases.release(lease)
    assert leases.acquire("job", holder="b", seconds=30).token == 2


def test_concurrent_acquirers_get_one_lease(leases):
    winners: list[str] = []
    start = threading.Barrier(6)

    def contend(holder: str) -> None:
        start.wait(60)
        if leases.acquire("race", holder=holder, seconds=30) is not None:
            winners.append(holder)

    threads = [threading.Thread(target=contend, args=(f"h{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(winners) == 1


def test_a_kept_lease_is_renewed_again_and_again_and_released_at_the_end(leases):
    # Renewals are counted in the database, not timed: a lease of a second held for 1.5 s was
    # lost by chance whenever a busy machine held the renewal thread up for a second.
    lease = leases.acquire("long-job", holder="a", seconds=30)
    with leases.kept(lease, every=0.05) as kept:
        expiries = {lease.expires_at}
        deadline = time.monotonic() + 60
        while len(expiries) < 4:  # the first expiry and three later ones: renewed, more than once
            assert time.monotonic() < deadline, "the kept lease was not renewed"
            current = leases.current("long-job")
            assert current is not None and current.holder == "a" and current.token == lease.token
            expiries.add(current.expires_at)
            time.sleep(0.02)
        assert max(expiries) > lease.expires_at  # each renewal pushes the expiry later
        assert leases.acquire("long-job", holder="b", seconds=30) is None
        assert not kept.lost.is_set()
    assert leases.acquire("long-job", holder="b", seconds=30) is not None


def test_a_kept_lease_reports_its_loss(leases):
    lease = leases.acquire("job", holder="a", seconds=0.2)
    with leases.kept(lease, every=10) as kept:  # too rare a renewal: it expires first
        _wait_until_expired(leases, "job")
        assert leases.acquire("job", holder="b", seconds=30) is not None
        assert leases.renew(kept.lease) is None


class Counter(Singleton):
    def __init__(self, runs: list[tuple[str, int]], **kwargs):
        super().__init__(**kwargs)
        self.runs = runs

    def run(self, lease):
        self.runs.append((self.holder, lease.token))


def test_singleton_work_runs_on_one_node_and_moves_when_it_dies(leases):
    runs: list[tuple[str, int]] = []
    # Leases that outlive any pause of a loaded machine (one of 0.3 s ran out between node-a's
    # tick and node-b's, and node-b ran the work); node-a's death is its lease running out, as
    # the clock would run it out.
    a = Counter(runs, seconds=1, leases=leases, lease_name="sealer", lease_seconds=600, holder="node-a")
    b = Counter(runs, seconds=1, leases=leases, lease_name="sealer", lease_seconds=600, holder="node-b")
    for _ in range(5):
        a.tick()
        b.tick()
    assert runs == [("node-a", 1)] * 5  # node-b never ran it while node-a held the lease
    runs.clear()
    with leases.database.transaction() as session:  # node-a died: it stopped ticking
        session.execute(sa.update(LEASES).where(LEASES.c.name == "sealer")
                        .values(expires_at=LEASES.c.expires_at - 601))
    assert leases.current("sealer") is None
    b.tick()
    b.tick()
    assert runs == [("node-b", 2), ("node-b", 2)]
