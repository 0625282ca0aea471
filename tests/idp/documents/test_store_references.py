"""The document store never removes a file a prepared document references."""

from __future__ import annotations

import pytest

from tests.idp.documents.conftest import agency_token
from tests.idp.documents.test_prepared import _prepared


def test_a_failed_writer_keeps_the_file_of_a_prepared_document(web, agency, signed_in, docs_app):
    from signing.service import get_documents

    _, sub = signed_in
    created = _prepared(web, agency_token(web, agency), sub)
    service = get_documents(docs_app)
    data = service.store.read(created["sha256"])
    service.store.remove(created["sha256"])  # as if the agency's request was the second writer
    with pytest.raises(RuntimeError), service.store.staged(data, service.database) as (stored, _):
        assert stored.created
        raise RuntimeError("the other request's transaction failed")
    assert service.store.read(created["sha256"]) == data
