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
from tests.idp.conftest import post_json
from tests.idp.documents.test_citizen_signing import _pdf, _upload, _upload_id
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
    from idp.documents import pages

    enrolled, _ = signed_in
    upload = _upload_id(_upload(web, _pdf()))
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    sign_pdf = pages.citizen_signature.sign_pdf

    def sign_while_lowered(*args, **kwargs):
        signed = sign_pdf(*args, **kwargs)
        change(docs_app, enrolled.citizen_id)
        return signed

    monkeypatch.setattr(pages.citizen_signature, "sign_pdf", sign_while_lowered)
    response = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options),
                         headers={"Accept-Language": "en"})
    assert response.status_code == 403, response.get_data(as_text=True)
    assert response.get_json()["error"] == "insufficient_user_authentication"
    assert "Nothing was signed" in response.get_json()["error_description"]
    assert _documents(docs_app) == 0
