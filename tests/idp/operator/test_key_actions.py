"""The console's key actions (rotate, revoke, renew) and their operator audit entries commit
together, in the key store's transaction, or not at all (issue 18)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from tests.idp.conftest import csrf
from tests.idp.operator.test_console import _trail


def _unavailable() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("INSERT INTO registrar_audit ...", {}, sqlite3.OperationalError("disk I/O error"))


def _signing_kids(app) -> list[str]:
    import keys

    service = keys.get_service(app)
    service.keyring.invalidate()
    return sorted(k.kid for k in service.keyring.keys())


def _tsa_serial(app) -> str:
    import keys
    from infra.db import get_db
    from keys.models import Certificate

    service = keys.get_service(app)
    service.pki.init(service.now())  # idempotent
    with get_db(app).read() as session:
        return session.scalar(sa.select(Certificate.serial).where(Certificate.name == "tsa"))


def _revoked(app, serial: str) -> bool:
    from infra.db import get_db
    from keys.models import Certificate

    with get_db(app).read() as session:
        return session.get(Certificate, serial).revoked_at is not None


@pytest.fixture
def failing_audit(monkeypatch):
    """The audit write fails after its row went into the transaction (the database gives up)."""
    from idp.operator import services

    original = services.trail

    def write_then_fail(session, **kwargs):
        original(session, **kwargs)
        raise _unavailable()

    monkeypatch.setattr(services, "trail", write_then_fail)


@pytest.fixture
def failing_commit(monkeypatch):
    """The key store's transaction fails at commit, after the audit entry was written in it."""
    from sqlalchemy.orm import Session

    from idp.operator import services

    armed = []
    original = services.record

    def record_and_arm(session, **kwargs):
        original(session, **kwargs)
        armed.append(session)

    def fail(session):
        if session in armed:
            armed.remove(session)
            raise _unavailable()

    monkeypatch.setattr(services, "record", record_and_arm)
    sa.event.listen(Session, "before_commit", fail)
    yield
    sa.event.remove(Session, "before_commit", fail)


def test_a_rotation_and_its_audit_entry_commit_together(client, oidc_app, operator):
    before, trail = _signing_kids(oidc_app), len(_trail(oidc_app))
    done = client.post("/operator/keys/rotate", data={"csrf_token": csrf(client, "/operator/keys")})
    assert done.status_code == 303
    published = set(_signing_kids(oidc_app)) - set(before)
    assert published  # one new key per algorithm
    entries = _trail(oidc_app)
    assert len(entries) == trail + 1 and entries[-1][1] == "signing_keys.rotated"
    assert set(entries[-1][2]["published"]) == published


@pytest.mark.parametrize("failure", ["failing_audit", "failing_commit"])
def test_a_failed_audit_write_or_commit_leaves_the_keys_and_the_trail_as_they_were(
        client, oidc_app, operator, request, failure):
    token = csrf(client, "/operator/keys")
    serial = _tsa_serial(oidc_app)
    before, trail = _signing_kids(oidc_app), _trail(oidc_app)
    request.getfixturevalue(failure)

    rotated = client.post("/operator/keys/rotate", data={"csrf_token": token})
    assert rotated.status_code == 503 and rotated.headers["Retry-After"]
    revoked = client.post("/operator/keys/revoke", data={"csrf_token": token, "serial": serial,
                                                         "reason": "superseded"})
    assert revoked.status_code == 503, revoked.get_data(as_text=True)[-3000:]
    renewed = client.post("/operator/keys/renew", data={"csrf_token": token, "certificate": "tsa"})
    assert renewed.status_code == 503

    assert _signing_kids(oidc_app) == before
    assert not _revoked(oidc_app, serial) and _tsa_serial(oidc_app) == serial
    assert _trail(oidc_app) == trail


def test_a_refused_key_action_writes_no_audit_entry(client, oidc_app, operator):
    token = csrf(client, "/operator/keys")
    trail = _trail(oidc_app)
    unknown = client.post("/operator/keys/revoke", data={"csrf_token": token, "serial": "abcdef",
                                                         "reason": "keyCompromise"})
    assert unknown.status_code == 400
    assert _trail(oidc_app) == trail


def test_revoke_and_renew_are_audited_with_the_change(client, oidc_app, operator):
    token = csrf(client, "/operator/keys")
    serial = _tsa_serial(oidc_app)
    renewed = client.post("/operator/keys/renew", data={"csrf_token": token, "certificate": "tsa"})
    assert renewed.status_code == 303 and _tsa_serial(oidc_app) != serial
    assert _trail(oidc_app)[-1][1:] == ("certificate.renewed", {"certificate": "tsa"})
    revoked = client.post("/operator/keys/revoke", data={"csrf_token": token, "serial": serial,
                                                         "reason": "superseded"})
    assert revoked.status_code == 303 and _revoked(oidc_app, serial)
    assert _trail(oidc_app)[-1][1:] == ("certificate.revoked", {"serial": serial, "reason": "superseded"})
