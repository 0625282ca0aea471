"""Background work that survives node loss, applied to the product's own background jobs.

The mechanisms are in infra (tests/infra/test_leases.py, tests/infra/test_outbox.py); the jobs'
own tests show them at work (tests/idp/logout/test_deliveries.py, tests/idp/audit/test_seal.py,
tests/signing/test_archive.py); these check that each job is built on them.
"""

from __future__ import annotations

from infra.ops.background import Singleton
from infra.outbox import OutboxWorker


def test_logout_deliveries_go_through_the_outbox(app):
    from idp.logout import get_logout

    assert isinstance(get_logout(app).worker, OutboxWorker)


def test_the_audit_sealer_runs_on_one_node_at_a_time(app):
    from idp.audit import SEALER

    assert isinstance(SEALER.of(app), Singleton)


def test_document_renewal_runs_on_one_node_at_a_time(app):
    from signing.service import get_documents

    assert isinstance(get_documents(app).renewal, Singleton)
