"""Raising the account's proofing (a PID from a wallet at /account/wallet-proofing, a register
code at /account/assurance/code) is a sensitive action: every passkey of the account inherits
the level. A session checked with a passkey since marked suspect (a clone signal) or no longer
the account's (removed: a lost or stolen device) makes no check for it, as for the other
sensitive actions (`idp.account.reauth.refused_check`): it is sent to the passkey re-check."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from idp.citizens.models import Passkey
from infra.db import get_db
from tests.idp.account.test_removed_passkey_sessions import _thief_with_lost_passkey
from tests.idp.assurance.test_possession import _import, assert_register_code_needs_reauth
from tests.idp.conftest import csrf, enrol


def _suspect_session(client):
    enrolled = enrol(client)
    with get_db(client.application).transaction() as db:
        db.execute(sa.update(Passkey).where(Passkey.citizen_id == uuid.UUID(enrolled.citizen_id))
                   .values(suspect_since=datetime.now(UTC)))
    return enrolled, client


def _removed_session(client):
    enrolled, _, _, thief = _thief_with_lost_passkey(client)
    return enrolled, thief


@pytest.mark.parametrize("blocked", [_suspect_session, _removed_session], ids=["suspect", "removed"])
def test_a_session_checked_with_a_blocked_passkey_cannot_ask_for_a_wallet_proofing(client, blocked):
    _, session = blocked(client)
    page = session.get("/account/wallet-proofing")
    assert page.status_code == 303
    assert page.headers["Location"] == "/account/reauth?next=/account/wallet-proofing"
    asked = session.post("/account/wallet-proofing", data={"csrf_token": csrf(session, "/account")})
    assert asked.status_code == 303 and asked.headers["Location"].startswith("/account/reauth?")


@pytest.mark.parametrize("blocked", [_suspect_session, _removed_session], ids=["suspect", "removed"])
def test_a_session_checked_with_a_blocked_passkey_cannot_take_a_register_code(client, fresh_app, blocked):
    _import(fresh_app)
    enrolled, session = blocked(client)
    assert_register_code_needs_reauth(fresh_app, session, enrolled.citizen_id)
