"""An account closed by its citizen (right to erasure, `idp.consent.closure`) names nobody any
more: an agency's documents API call naming its sub is refused as an unknown subject, whatever
legal basis the operator set for the agency, as for an account frozen by a reclaim."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from infra.db import get_db
from tests.idp.documents.conftest import agency_token
from tests.idp.oidc.conftest import bearer
from tests.signing.samples import SAMPLES


def _close(app, citizen_id: str) -> None:
    from idp.consent import closure, get_consents

    with app.app_context(), get_db(app).transaction() as db:
        consents = get_consents(app)
        closure.close_account(db, policy=consents.policy, sign=consents.sign, grants=consents.grants,
                              pseudonym_key=b"k" * 32, citizen_id=citizen_id, language="es",
                              now=datetime.now(UTC))


@pytest.mark.parametrize("template", ["birth", "residence"])
def test_no_agency_issues_a_document_to_a_closed_account(web, docs_app, agency, signed_in, monkeypatch, template):
    from idp.consent.consents import get_consents

    citizen, sub = signed_in
    monkeypatch.setitem(get_consents(docs_app).policy.legal_bases, agency.client_id, "Ley de Residencia, art. 4")
    _close(docs_app, citizen.citizen_id)
    payload = {"template": template, "subject": sub, "data": SAMPLES[template]}
    response = web.post("/api/documents", data=json.dumps(payload), content_type="application/json",
                        headers=bearer(agency_token(web, agency)))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == "invalid_data"
    assert "subject" in response.get_json()["error_description"]


@pytest.mark.parametrize("gone", ["closed", "frozen"])
def test_an_account_gone_while_its_document_is_sealed_gets_no_document(
        web, docs_app, agency, signed_in, monkeypatch, gone):
    """Regression: the subject was checked before sealing only, so a closure or a reclaim that
    committed while the document was sealed left a valid document in a name nobody holds (the
    reclaim's revocation had run before it existed)."""
    import sqlalchemy as sa

    from signing import issuance
    from signing.models import Document
    from tests.idp.wallet.test_reclaim_revokes import _reclaim

    citizen, sub = signed_in
    sealing = issuance.seal

    def seal_then_gone(*args, **kwargs):
        sealed = sealing(*args, **kwargs)
        if gone == "closed":
            _close(docs_app, citizen.citizen_id)
        else:
            _reclaim(docs_app, citizen.national_id, "in_person")
        return sealed

    monkeypatch.setattr(issuance, "seal", seal_then_gone)
    payload = {"template": "birth", "subject": sub, "data": SAMPLES["birth"]}
    response = web.post("/api/documents", data=json.dumps(payload), content_type="application/json",
                        headers=bearer(agency_token(web, agency)))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == "invalid_data"
    with get_db(docs_app).read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Document)
                              .where(Document.subject == citizen.citizen_id)) == 0
