"""The sealing thread runs on one node of the cluster at a time, and another node takes over
when that one dies (a lease in the database; infra.leases)."""

from __future__ import annotations

from idp.audit.seal import ChainSealer, pending_count
from infra.db import get_db
from infra.leases import Leases
from tests.idp.audit.conftest import fill, verify


def _pending(app) -> int:
    with get_db(app).read() as session:
        return pending_count(session)


def test_only_the_lease_holder_seals_and_another_node_takes_over_when_it_dies(oidc_app, audit_log):
    database = get_db(oidc_app)
    first = ChainSealer(database=database, log=audit_log, seconds=1, holder="node-1")
    second = ChainSealer(database=database, log=audit_log, seconds=1, holder="node-2")
    fill(oidc_app, audit_log, 3, seal=False)
    with oidc_app.app_context():
        first.tick()
        assert _pending(oidc_app) == 0
        fill(oidc_app, audit_log, 2, start=3, seal=False)
        second.tick()  # node-1 holds the lease: node-2 leaves the entries to it
        assert _pending(oidc_app) == 2
        # node-1 dies: its lease runs out (here: is taken as expired) and node-2 seals.
        leases = Leases(database)
        current = leases.current(ChainSealer.LEASE)
        assert current is not None and current.holder == "node-1"
        leases.release(current)
        second.tick()
        assert _pending(oidc_app) == 0
        assert leases.current(ChainSealer.LEASE).holder == "node-2"
    report = verify(oidc_app)
    assert report.ok, report.problem
