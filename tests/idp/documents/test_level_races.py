"""The level of a signature is checked again in the transaction that stores it.

Making a PAdES signature takes a while (certificate, timestamp, validation data). If the
citizen's proofing is removed meanwhile (a recovery code was used, a reclaim froze the
account, the operator revoked it) or the approving passkey is removed or marked suspect, the
signature must not be stored nor handed out at a level the citizen no longer has."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from infra.db import get_db
from tests.idp.documents.test_citizen_signing import (
    _pdf,
    _upload,
    _upload_id,
    confirm_with_change_while_signing,
)
from tests.idp.documents.test_prepared import _documents


def _reset_proofing(app, citizen_id: str) -> None:
    from idp.assurance.services import reset_proofing

    with get_db(app).transaction() as session:
        assert reset_proofing(session, citizen_id=uuid.UUID(citizen_id), reason="recovery_code",
                              now=datetime.now(UTC))


def _mark_suspect(app, citizen_id: str) -> None:
    import sqlalchemy as sa

    from idp.citizens.models import Passkey

    with get_db(app).transaction() as session:
        session.execute(sa.update(Passkey).where(Passkey.citizen_id == uuid.UUID(citizen_id))
                        .values(suspect_since=datetime.now(UTC)))


@pytest.mark.parametrize("change", [_reset_proofing, _mark_suspect])
def test_a_level_lowered_while_signing_stores_nothing(web, docs_app, signed_in, monkeypatch,
                                                      change):
    """Before: 200, the signed document stored at the level read before the signature."""
    enrolled, _ = signed_in
    upload = _upload_id(_upload(web, _pdf()))
    response = confirm_with_change_while_signing(web, monkeypatch, upload, enrolled.key,
                                                 lambda: change(docs_app, enrolled.citizen_id),
                                                 **{"Accept-Language": "en"})
    assert response.status_code == 403, response.get_data(as_text=True)
    assert response.get_json()["error"] == "insufficient_user_authentication"
    assert "Nothing was signed" in response.get_json()["error_description"]
    assert _documents(docs_app) == 0


def test_two_signatures_racing_for_one_prepared_document_link_once(web, docs_app, agency,
                                                                   signed_in):
    """Two confirmations of one prepared document, stored at the same moment (threads, on each
    backend): exactly one is linked to it, the other is refused as already signed."""
    import threading

    from idp.documents import prepared
    from tests.idp.documents.conftest import agency_token
    from tests.idp.documents.test_prepared import _prepared

    enrolled, sub = signed_in
    created = _prepared(web, agency_token(web, agency), sub)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def link(document_id: str) -> None:
        start.wait(timeout=30)
        try:
            with get_db(docs_app).transaction() as session:
                prepared.link_signature(session, prepared_id=created["id"],
                                        citizen_id=enrolled.citizen_id, document_id=document_id,
                                        now=datetime.now(UTC))
            outcomes[document_id] = "linked"
        except prepared.PreparedError as exc:
            outcomes[document_id] = exc.code

    threads = [threading.Thread(target=link, args=(name,)) for name in ("firma-a", "firma-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["linked", "signed"], outcomes
    from idp.documents.models import PreparedDocument

    with get_db(docs_app).read() as session:
        row = session.get(PreparedDocument, created["id"])
        assert row.status == "signed"
        assert outcomes[row.signed_document_id] == "linked"
