"""A passkey marked suspect (its counter went back: a cloned authenticator) is refused at every
ceremony until the citizen removes or vouches for it; it is not offered in allowCredentials,
nor counted as a way to reach a level."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from infra.db import get_db
from tests.idp.conftest import enrol, post_json


def _mark_suspect(app, citizen_id: str) -> None:
    from idp.citizens.models import Passkey

    with get_db(app).transaction() as session:
        session.execute(sa.update(Passkey).where(Passkey.citizen_id == uuid.UUID(citizen_id))
                        .values(suspect_since=datetime.now(UTC)))


def test_a_suspect_passkey_neither_qualifies_nor_makes_a_level_reachable(client, fresh_app):
    """Before: listed in allowCredentials (step-up, document confirmation) and counted by
    `reachable`, so a citizen whose only passkey was blocked was sent to a step-up that could
    only be refused."""
    from idp.assurance.services import (
        credential_descriptors,
        qualifying_passkeys,
        raise_proofing,
        reachable,
    )

    enrolled = enrol(client)
    with get_db(fresh_app).transaction() as session:
        raise_proofing(session, citizen_id=uuid.UUID(enrolled.citizen_id), method="in_person",
                       now=datetime.now(UTC))
        assert reachable(session, citizen_id=enrolled.citizen_id, level="substantial")
    _mark_suspect(fresh_app, enrolled.citizen_id)
    with get_db(fresh_app).read() as session:
        assert qualifying_passkeys(session, citizen_id=enrolled.citizen_id, level="substantial") == []
        assert credential_descriptors(session, citizen_id=enrolled.citizen_id, level="low") == []
        assert not reachable(session, citizen_id=enrolled.citizen_id, level="substantial")
    refused = post_json(client, "/webauthn/authentication/options", {"acr": "substantial"})
    assert refused.status_code == 403 and refused.get_json()["error"] == "no_qualifying_passkey"


def test_a_session_checked_with_a_suspect_passkey_is_worth_level_low(client, fresh_app):
    """A clone's session that started while the counter regression was being recorded outlives
    the ending of the passkey's sessions (idp.account.reauth._blocked): what it is worth is read
    at each use (/authorize's acr, the staff consoles, a signature's level). Before: the level
    the passkey was registered with (substantial here, with in-person proofing), as if the
    clone signal had never been seen; now low, as for a model the metadata reports."""
    from idp.assurance.services import assess, raise_proofing

    enrolled = enrol(client)
    with get_db(fresh_app).transaction() as session:
        raise_proofing(session, citizen_id=uuid.UUID(enrolled.citizen_id), method="in_person",
                       now=datetime.now(UTC))
    amr = ("hwk", "user", "mfa")
    with get_db(fresh_app).read() as session:
        assert assess(session, citizen_id=enrolled.citizen_id,
                      credential_id=enrolled.key.credential_id_b64, amr=amr).level == "substantial"
    _mark_suspect(fresh_app, enrolled.citizen_id)
    with get_db(fresh_app).read() as session:
        found = assess(session, citizen_id=enrolled.citizen_id,
                       credential_id=enrolled.key.credential_id_b64, amr=amr)
    assert (found.level, found.authenticator, found.proofing) == ("low", "low", "high")
