"""Fixtures for the data-sharing log: an app with signing keys, a log with a short interval."""

from __future__ import annotations

import pytest

from idp.audit import AUDIT_LOG, SEALER
from tests.idp.oidc.conftest import oidc_app, register  # noqa: F401  (fixtures: keys ready)


@pytest.fixture
def audit_log(oidc_app):  # noqa: F811
    """The app's log with a checkpoint every 5 entries (and no time-based ones); the app's own
    sealing thread is stopped meanwhile, so that only this policy seals."""
    from dataclasses import replace

    from idp.audit import AuditLog

    base = AUDIT_LOG.of(oidc_app)
    sealer = SEALER.of(oidc_app)
    was_running = sealer.running
    sealer.stop()
    yield AuditLog(policy=replace(base.policy, checkpoint_entries=5, checkpoint_seconds=10**8),
                   signer=base.signer, entry_key=base.entry_key)
    if was_running:
        sealer.start()


def fill(app, log, count: int, *, citizen: str = "c1", start: int = 0, seal: bool = True) -> None:
    """Append `count` entries, each in its own transaction, then seal them (as the sealing
    thread would a moment later)."""
    from idp import audit
    from infra.db import get_db

    with app.app_context():
        for n in range(start, start + count):
            with get_db(app).transaction() as session:
                audit.append(session, event="release.userinfo", citizen_id=citizen if n % 2 == 0 else "c2",
                             client_id=f"agency-{n % 3}", claims=["sub", "email"], purpose="Trámites",
                             log=log)
        if seal:
            audit.seal(get_db(app), log=log)


def verify(app):
    from idp.audit import trusted_keys, verify_chain
    from infra.db import get_db

    with app.app_context(), get_db(app).read() as session:
        return verify_chain(session, trusted=trusted_keys(app), entry_key=AUDIT_LOG.of(app).entry_key)


def checkpointed_bundle(app, log, citizen: str = "c1") -> dict:
    """Sign a checkpoint of the head, then the citizen's downloadable log."""
    from idp import audit
    from infra.db import get_db

    with app.app_context():
        with get_db(app).transaction() as session:
            audit.checkpoint(session, log=log)
        with get_db(app).read() as session:
            return audit.citizen_bundle(session, citizen_id=citizen, issuer="http://localhost")
