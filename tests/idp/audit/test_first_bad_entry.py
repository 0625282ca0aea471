"""An insider rewrites a checkpointed entry (or swaps two citizens' entries) and recomputes every
hash after it: the signed checkpoint no longer matches, and the MACs the service wrote with each
entry name the first entry changed, not just the checkpoint after it."""

from __future__ import annotations

import sqlalchemy as sa

from infra.db import get_db
from tests.idp.audit.conftest import fill, verify


def _rewrite(app, change) -> None:
    """Apply `change` to the sealed rows (in seq order), then recompute every hash and the head."""
    from idp.audit.chain import GENESIS, body_hash, link_hash
    from idp.audit.models import AuditEntry, ChainHead

    with get_db(app).transaction() as session:
        rows = list(session.scalars(sa.select(AuditEntry).where(AuditEntry.seq.is_not(None))
                                    .order_by(AuditEntry.seq)))
        change(rows)
        prev = GENESIS
        for row in rows:
            row.prev_hash = prev
            row.hash = link_hash(seq=row.seq, prev=prev, body_digest=body_hash(row.body().to_json()))
            prev = row.hash
        session.get(ChainHead, 1).hash = prev


def _swap_citizens(rows) -> None:
    rows[1].citizen_ref, rows[2].citizen_ref = rows[2].citizen_ref, rows[1].citizen_ref


def test_swapping_two_citizens_entries_names_the_first_of_them(oidc_app, audit_log):
    fill(oidc_app, audit_log, 9)  # checkpoints at 1 and 6; entry 2 is c2's, entry 3 c1's
    _rewrite(oidc_app, _swap_citizens)
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (2, "altered"), report.problem
    assert "checkpoint at entry 6 no longer matches" in report.problem.message


def test_a_rewritten_entry_whose_mac_was_stripped_is_named(oidc_app, audit_log):
    def strip(rows) -> None:
        rows[3].claims, rows[3].mac = ["sub", "national_id"], None

    fill(oidc_app, audit_log, 9)
    _rewrite(oidc_app, strip)
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (4, "altered"), report.problem


def test_with_another_server_secret_only_the_checkpoint_speaks(oidc_app, audit_log):
    """No MAC in the stretch matches (the secret changed): no entry is named on a guess."""
    from idp.audit import trusted_keys, verify_chain

    fill(oidc_app, audit_log, 9)
    _rewrite(oidc_app, _swap_citizens)
    with oidc_app.app_context(), get_db(oidc_app).read() as session:
        report = verify_chain(session, trusted=trusted_keys(oidc_app), entry_key=b"another secret" * 2)
    assert (report.problem.seq, report.problem.kind) == (6, "checkpoint")
    assert "at or before 6" in report.problem.message
