"""A session checked with a passkey that is no longer the account's (the citizen removed it:
a lost or stolen device) is worth nothing more than what remains.

Removing a passkey ends the sessions opened or checked with it, after its commit. A sign-in
with that passkey that committed just before the removal starts its session just after the
list of sessions to end was read: that session outlives the removal, as a clone's session
outlived a clone signal (aaeb05af). Its check is made with a passkey the account no longer has:
it is no check for a sensitive action, and its level is low."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from idp.citizens.models import Passkey
from infra.db import get_db
from tests.idp.conftest import csrf, enrol, post_json, recheck, sign_in
from tests.support.authenticator import SoftwareAuthenticator


def _remove_unseen(app, key: SoftwareAuthenticator) -> None:
    """The removal's transaction, without the ending of sessions that follows it."""
    with get_db(app).transaction() as db:
        db.execute(sa.delete(Passkey).where(Passkey.credential_id == key.credential_id))


def _thief_with_lost_passkey(client):
    lost = SoftwareAuthenticator()
    enrolled = enrol(client, lost)
    kept = SoftwareAuthenticator()
    options = post_json(client, "/webauthn/registration/options", {}).get_json()
    assert post_json(client, "/webauthn/registration/verify", kept.register(options)).status_code == 200
    thief = client.application.test_client()
    assert sign_in(thief, lost).status_code == 200
    _remove_unseen(client.application, lost)
    return enrolled, lost, kept, thief


def test_a_session_checked_with_a_removed_passkey_cannot_add_one(client):
    _, _, _, thief = _thief_with_lost_passkey(client)
    response = post_json(thief, "/webauthn/registration/options", {})
    assert response.status_code in (401, 403), response.get_json()
    assert response.get_json()["error"] == "reauthentication_required"


def test_a_session_checked_with_a_removed_passkey_cannot_take_recovery_codes(client):
    enrolled, _, _, thief = _thief_with_lost_passkey(client)
    page = thief.post("/account/recovery-codes", data={"csrf_token": csrf(thief, "/account")})
    body = page.get_data(as_text=True)
    assert 'id="recheck-resubmit"' in body and 'id="recheck-refused"' in body
    english = thief.get("/account/reauth", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "no longer on your account" in english
    from idp.citizens.models import RecoveryCode

    with get_db(client.application).read() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
            RecoveryCode.citizen_id == uuid.UUID(enrolled.citizen_id),
            RecoveryCode.used_at.is_(None))) == len(enrolled.codes)


def test_a_session_checked_with_a_removed_passkey_is_worth_level_low(client, fresh_app):
    from idp.assurance.services import assess, raise_proofing

    enrolled, lost, _, _ = _thief_with_lost_passkey(client)
    with get_db(fresh_app).transaction() as db:
        raise_proofing(db, citizen_id=uuid.UUID(enrolled.citizen_id), method="in_person",
                       now=datetime.now(UTC))
    with get_db(fresh_app).read() as db:
        found = assess(db, citizen_id=enrolled.citizen_id, credential_id=lost.credential_id_b64,
                       amr=("hwk", "user", "mfa"))
    assert (found.level, found.authenticator, found.proofing) == ("low", "low", "high")


def test_the_owner_checked_with_a_kept_passkey_goes_on(client):
    _, _, kept, _ = _thief_with_lost_passkey(client)
    owner = client.application.test_client()
    assert sign_in(owner, kept).status_code == 200
    assert recheck(owner, kept).status_code == 200
    assert post_json(owner, "/webauthn/registration/options", {}).status_code == 200
