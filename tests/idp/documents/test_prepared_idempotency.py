"""`POST /api/documents/prepared` with `Idempotency-Key`: the guide says to send one with every
`POST` "so a retry after a timeout does not issue twice"; the prepare API ignored it, and a
retried request put a second copy of the document in the citizen's "My documents"."""

from __future__ import annotations

import base64
import json

import sqlalchemy as sa

from idp.documents.models import PreparedDocument
from infra.db import get_db
from tests.idp.documents.conftest import agency_token, assert_replayed
from tests.idp.documents.test_citizen_signing import _pdf
from tests.idp.oidc.conftest import bearer


def _count(app) -> int:
    with get_db(app).read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(PreparedDocument))


PDF = base64.b64encode(_pdf("firma")).decode()  # one PDF: the retry sends the same bytes


def _with_key(web, token, key, **body):
    payload = {"file_name": "contrato.pdf", "pdf": PDF, **body}
    return web.post("/api/documents/prepared", data=json.dumps(payload), content_type="application/json",
                    headers={**bearer(token), "Idempotency-Key": key})


def test_a_retry_with_the_same_key_gets_the_same_prepared_document(web, docs_app, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    first = _with_key(web, token, "prepare-1", subject=sub)
    assert first.status_code == 201, first.get_json()
    assert first.headers["Cache-Control"] == "no-store"
    again = _with_key(web, token, "prepare-1", subject=sub)
    assert_replayed(first, again)
    assert _count(docs_app) == 1


def test_the_same_key_with_another_body_is_422(web, docs_app, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    assert _with_key(web, token, "prepare-1", subject=sub).status_code == 201
    other = _with_key(web, token, "prepare-1", subject=sub, expires_in_days=3)
    assert other.status_code == 422
    assert other.get_json()["error"] == "idempotency_key_reused"
    assert _count(docs_app) == 1


def test_a_bad_key_is_400_and_prepares_nothing(web, docs_app, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    bad = _with_key(web, token, "x" * 300, subject=sub)
    assert bad.status_code == 400
    assert bad.get_json()["error"] == "invalid_idempotency_key"
    assert _count(docs_app) == 0


def test_a_refused_request_is_refused_again_not_replayed(web, docs_app, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    for _attempt in range(2):
        refused = _with_key(web, token, "prepare-1", subject=sub, pdf="not base64!")
        assert refused.status_code == 422
        assert refused.get_json()["error"] == "invalid_data"
    assert _count(docs_app) == 0
