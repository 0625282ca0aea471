"""A replacement names the same citizen, with the same template, and is itself valid."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from infra.db import get_db
from signing.verify import document_revocation
from signing.verify.errors import RevocationRefused
from tests.signing.verify.issued import issue_residence


def test_a_replacement_issued_to_another_citizen_is_refused(pki_app, documents, citizen):
    first, _ = issue_residence(documents, citizen)
    someone_else = replace(citizen, id="0f0e0d0c-0b0a-4909-8807-060504030201")
    other, _ = issue_residence(documents, someone_else)
    with pytest.raises(RevocationRefused, match="another citizen") as refused:
        document_revocation.supersede(get_db(pki_app), document_id=first.id, replacement_id=other.id,
                                      reason="Datos actualizados", now=datetime.now(UTC))
    assert refused.value.status == 409
    assert documents.get(first.id).status == "valid"


def test_a_replacement_that_is_not_valid_is_refused(pki_app, documents, citizen):
    first, _ = issue_residence(documents, citizen)
    second, _ = issue_residence(documents, citizen)
    now = datetime.now(UTC)
    document_revocation.revoke(get_db(pki_app), document_id=second.id, reason="Error", now=now)
    with pytest.raises(RevocationRefused, match="revoked"):
        document_revocation.supersede(get_db(pki_app), document_id=first.id, replacement_id=second.id,
                                      reason="Datos actualizados", now=now)
    assert documents.get(first.id).status == "valid"


def test_a_replacement_of_another_template_is_refused(pki_app, documents, citizen):
    import sqlalchemy as sa

    from signing.models import Document

    first, _ = issue_residence(documents, citizen)
    second, _ = issue_residence(documents, citizen)
    with get_db(pki_app).transaction() as session:  # as if the second were another template
        session.execute(sa.update(Document).where(Document.id == second.id).values(template="birth"))
    with pytest.raises(RevocationRefused, match="template"):
        document_revocation.supersede(get_db(pki_app), document_id=first.id, replacement_id=second.id,
                                      reason="Datos actualizados", now=datetime.now(UTC))
