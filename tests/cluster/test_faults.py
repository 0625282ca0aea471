"""Faults under load, answered, not crashed: a node killed, Redis restarted or away for 10 s,
PostgreSQL stopped for 10 s, a node killed while it seals a document.

Each test runs a small bounded load (tests/cluster/conftest.py::Load), injects the fault,
counts what was sent and how it was answered, and checks afterwards that what the provider
acknowledged exists exactly once. No timing is asserted; every wait is bounded."""

from __future__ import annotations

import time
import uuid

import requests
import sqlalchemy as sa

from signing.store import STAGING
from tests.cluster import checks
from tests.cluster.conftest import next_number
from tests.cluster.journeys import AgencyClient, Citizen

UNAVAILABLE = 503


def _wait(condition, *, seconds: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def _readiness(topology) -> list[int]:
    """What each node's /readyz answers now."""
    return [requests.get(node.url("/readyz"), timeout=10).status_code for node in topology.nodes]


def _signed_in_citizens(provider, topology, count: int = 3) -> list[Citizen]:
    citizens = []
    for _ in range(count):
        citizen = Citizen(provider, next_number())
        citizen.enrol()
        citizen.sign_in_to_agency(topology.agency)
        citizens.append(citizen)
    return citizens


def test_a_node_killed_under_load_fails_only_its_requests_in_flight(topology, provider, load):
    running = load(threads=3, seconds=120)  # stopped below, once it has done what is needed
    assert _wait(lambda: running.completed >= 2, seconds=30), running.errors
    sent_before = provider.ledger.sent
    topology.node("node-a").kill()
    at_kill = running.completed
    time.sleep(4)  # the load goes on against one node ...
    # ... and completes journeys there (waited for, not assumed of 4 s on a busy machine).
    assert _wait(lambda: running.completed > at_kill and running.completed >= 3, seconds=60), running.errors
    running.stop()
    after = provider.ledger.answers[sent_before:]
    failed = [a for a in after if a.status is None or a.status >= 500]
    # Only requests in flight on node-a when it died failed: one per user at most.
    assert len(failed) <= running.threads, failed
    assert all(a.status in (None, 502, 503, 504) for a in failed), failed
    checks.no_server_error(topology, provider.ledger)
    assert {a.node for a in after[len(after) // 2:] if a.status and a.status < 500} == {"node-b"}
    assert running.completed >= 3
    checks.acknowledged_documents_exist_once(topology, provider.ledger)
    checks.acknowledged_grants_work(topology, provider, provider.ledger)
    checks.consents_exist_once(topology)
    checks.sessions_alive(provider, provider.ledger, expect_alive=True)


def test_redis_restarted_with_aof_keeps_sessions_and_no_500(topology, provider, load):
    citizens = _signed_in_citizens(provider, topology)
    running = load(threads=2, seconds=40)
    assert _wait(lambda: running.completed >= 1, seconds=30), running.errors
    topology.redis.stop()
    time.sleep(1.5)
    topology.redis.start()
    time.sleep(3)
    running.stop()
    checks.no_server_error(topology, provider.ledger)
    for answer in provider.ledger.answers:
        if answer.status == UNAVAILABLE:
            assert answer.retry_after == "5", answer
    checks.sessions_alive(provider, provider.ledger, expect_alive=True)
    for citizen in citizens:  # remembered consent and session: straight to a code
        citizen.sign_in_to_agency(topology.agency)
    checks.acknowledged_documents_exist_once(topology, provider.ledger)


def test_redis_away_for_10_seconds_is_503_with_retry_after(topology, provider, load):
    _signed_in_citizens(provider, topology, 1)
    running = load(threads=2, seconds=60)
    assert _wait(lambda: running.completed >= 1, seconds=30), running.errors
    topology.redis.stop()
    down_from = provider.ledger.sent
    away_since = time.monotonic()
    # Polled (a cap), as with PostgreSQL below: a node's probe in flight when Redis went may
    # still have had its answer on a loaded machine.
    unready = _wait(lambda: _readiness(topology) == [UNAVAILABLE, UNAVAILABLE], seconds=9)
    time.sleep(max(0.0, 10 - (time.monotonic() - away_since)))
    during = provider.ledger.answers[down_from:]
    topology.redis.start()
    assert _wait(lambda: set(_readiness(topology)) == {200}, seconds=30)
    completed = running.completed
    assert _wait(lambda: running.completed > completed, seconds=40), running.errors[-3:]
    running.stop()
    assert unready, "a node's /readyz did not answer 503 within 9 s of Redis going away"
    assert any(a.status == UNAVAILABLE for a in during), during
    checks.no_server_error(topology, provider.ledger)
    for answer in during:
        if answer.status == UNAVAILABLE:
            assert answer.retry_after == "5", answer
    unavailable = requests.post(topology.url("/webauthn/authentication/options"), json={}, timeout=10,
                                headers={"Origin": topology.issuer})
    assert unavailable.status_code == 200  # and back


def test_redis_restarted_without_persistence_asks_citizens_to_sign_in_again(topology, provider):
    _signed_in_citizens(provider, topology, 2)
    topology.redis.stop()
    topology.redis.start(appendonly=False)
    try:
        topology.redis.stop()  # without AOF (and no snapshots) a restart forgets everything
        topology.redis.start(appendonly=False)
        checks.sessions_alive(provider, provider.ledger, expect_alive=False)
        page = provider.browser().get(provider.base_url + "/login", timeout=30)
        assert page.status_code == 200
        citizen = Citizen(provider, next_number())
        citizen.enrol()  # and signing in works at once
    finally:
        topology.redis.stop()
        topology.redis.start(appendonly=True)


def test_postgresql_stopped_for_10_seconds_then_back_without_restarting_the_nodes(topology, provider, load):
    _signed_in_citizens(provider, topology, 1)
    pids = {node.name: node.process.pid for node in topology.nodes}
    running = load(threads=2, seconds=60)
    assert _wait(lambda: running.completed >= 1, seconds=30), running.errors
    topology.postgres.stop()
    down_from = provider.ledger.sent
    assert _wait(lambda: set(_readiness(topology)) == {UNAVAILABLE}, seconds=60)  # a cap
    time.sleep(10)
    during = provider.ledger.answers[down_from:]
    topology.postgres.start()
    assert _wait(lambda: set(_readiness(topology)) == {200}, seconds=30)
    completed = running.completed
    assert _wait(lambda: running.completed > completed + 1, seconds=40), running.errors[-3:]
    running.stop()
    assert any(a.status == UNAVAILABLE for a in during), during
    checks.no_server_error(topology, provider.ledger)
    for answer in during:
        if answer.status == UNAVAILABLE:
            assert answer.retry_after == "5", answer
    assert {node.name: node.process.pid for node in topology.nodes} == pids  # never restarted
    checks.acknowledged_documents_exist_once(topology, provider.ledger)
    checks.acknowledged_grants_work(topology, provider, provider.ledger)


def test_a_node_killed_while_sealing_leaves_nothing_half_written_and_the_retry_completes(
        topology, provider):
    [citizen] = _signed_in_citizens(provider, topology, 1)
    agency = AgencyClient(provider, topology.agency)
    token = agency.token()
    engine = sa.create_engine(topology.database_url)
    storage = topology.folder / "data" / "documents"

    def documents() -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM documents")).scalar())

    def files() -> list[str]:
        """The stored documents (a killed writer's temporary, if the kill fell inside the
        write, is in `.staging`: swept at the next start, signing.store)."""
        return sorted(str(p.relative_to(storage)) for p in storage.rglob("*")
                      if p.is_file() and STAGING not in p.relative_to(storage).parts) \
            if storage.exists() else []

    before, files_before = documents(), files()
    key = str(uuid.uuid4())
    body = {"template": "residence", "subject": citizen.sub, "level": "B-LTA",
            "data": __import__("tests.signing.samples", fromlist=["RESIDENCE"]).RESIDENCE}
    node = topology.node("node-a")
    import threading

    outcome: dict = {}

    def send() -> None:
        try:
            outcome["response"] = requests.post(node.url("/api/documents"), json=body, timeout=60, headers={
                "Host": topology.issuer.split("//")[1], "Authorization": f"Bearer {token}",
                "Idempotency-Key": key})
        except requests.RequestException as exc:
            outcome["error"] = exc

    sender = threading.Thread(target=send)
    sender.start()

    def claimed() -> bool:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT state FROM infra_idempotency WHERE key = :k"),
                                {"k": key}).scalar() == "pending"

    assert _wait(claimed, seconds=30, every=0.01)
    node.kill()  # while it renders and seals (B-LTA: signature, time-stamps, revocation data)
    sender.join(60)
    try:
        assert "error" in outcome, outcome  # the agency's request got no answer
        assert documents() == before  # no document row ...
        assert files() == files_before  # ... and no document file, whole or partial ...
        staged = list((storage / STAGING).glob("*")) if (storage / STAGING).exists() else []
        assert all(p.name.endswith(".part") for p in staged), staged  # ... only a temporary, if any
        # The agency retries with the same key, as Retry-After says. Until the balancer's health
        # check has marked the killed node down (fall 2 x 400 ms), a retry routed to it may be
        # answered by the balancer (502/503/504, no node reached): an agency retries those too,
        # which is what the Idempotency-Key is for. A node's own 500 is never retried here.
        for _attempt in range(40):
            retry = requests.post(topology.url("/api/documents"), json=body, timeout=60, headers={
                "Host": topology.issuer.split("//")[1], "Authorization": f"Bearer {token}",
                "Idempotency-Key": key})
            if retry.status_code in (502, 503, 504):
                time.sleep(1)
                continue
            if retry.status_code != 409:
                break
            assert retry.json()["error"] == "request_in_progress"
            time.sleep(min(int(retry.headers["Retry-After"]), 3))
        assert retry.status_code == 201, retry.text
        assert documents() == before + 1
        again = requests.post(topology.url("/api/documents"), json=body, timeout=60, headers={
            "Host": topology.issuer.split("//")[1], "Authorization": f"Bearer {token}", "Idempotency-Key": key})
        assert again.status_code == 201 and again.json()["id"] == retry.json()["id"]
        assert documents() == before + 1
        # No temporary file stays: one in flight (a write being renamed into place while this
        # lists) is gone within moments; a crash's leftover would stay and fail this.
        assert _wait(lambda: not [f for f in files() if f.endswith(".part") or "/." in f], seconds=10, every=0.1), \
            files()
    finally:
        engine.dispose()
