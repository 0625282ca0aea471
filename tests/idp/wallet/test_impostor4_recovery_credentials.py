"""Impostor review, round 4: a recovery at the desk hands the account to the person whose
document was checked; the passkeys someone else held end, and so must the citizen's documents
that someone took into their own wallet with them (bound to their own key, valid in the status
list until then)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from idp.wallet import status_list
from tests.idp.wallet.conftest import new_offer
from tests.idp.wallet.test_impostor4_deleted_passkey_credentials import _status


def _recovery_at_the_desk(app, citizen_id: str) -> None:
    from idp.consent.consents import get_consents
    from idp.registrar import services
    from idp.registrar.documents import DocumentCheck
    from infra.db import get_db
    from infra.store import get_store

    with app.test_request_context(), get_db(app).transaction() as db:
        services.start_recovery(db, get_store(app), actor=services.Actor.operator("test"),
                                citizen_id=uuid.UUID(citizen_id),
                                document=DocumentCheck("passport", "A1234567", date.today() + timedelta(days=365)),
                                key=b"k" * 32, ttl=600, grants=get_consents().grants, now=datetime.now(UTC))


def test_a_recovery_at_the_desk_revokes_the_wallet_credentials_taken_with_the_ended_passkeys(
        web, birth, holder, signed_in):
    enrolled, _ = signed_in
    link, tx_code = new_offer(web, birth["id"])  # whoever held the account's passkey
    taken = holder.receive(link, tx_code)
    assert _status(web, taken) == status_list.VALID
    _recovery_at_the_desk(web.application, enrolled.citizen_id)
    assert _status(web, taken) == status_list.INVALID
