"""The documents' folder full (or read-only, or over quota): a request that needs to write
there is a 503 with Retry-After and a sentence saying so, never a 500, and nothing is kept."""

from __future__ import annotations

import errno
import json
import logging
import os

import pytest

from tests.idp.documents.conftest import agency, agency_token, docs_app, signed_in, web  # noqa: F401 - fixtures
from tests.idp.oidc.conftest import bearer
from tests.signing import samples
from tests.signing.conftest import pki_app, pki_rows  # noqa: F401 - fixtures


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS])
def test_a_full_documents_folder_is_a_503(web, agency, signed_in, docs_app, monkeypatch, caplog, code):  # noqa: F811
    _, sub = signed_in
    token = agency_token(web, agency)

    def full(fd, *args):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("infra.atomic_write.os.fsync", full)
    with caplog.at_level(logging.ERROR):
        answer = web.post("/api/documents", data=json.dumps({"template": "residence", "data": samples.RESIDENCE,
                                                              "subject": sub}),
                          content_type="application/json", headers=bearer(token))
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.headers["Retry-After"]
    assert "storage is full" in answer.get_json()["error_description"]
    lines = [r for r in caplog.records if r.name == "infra.web.errors" and r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in lines] == ["storage full: answering 503"]
    assert "storage_dir" in lines[0].action and lines[0].exc_info is None  # what to do, no traceback
    assert _documents(docs_app) == 0  # nothing half saved


def _documents(app) -> int:
    import sqlalchemy as sa

    from infra.db import get_db
    from signing.models import Document

    with get_db(app).read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Document)) or 0
