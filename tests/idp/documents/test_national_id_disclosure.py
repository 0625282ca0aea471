"""A document an agency receives carries the citizen's national ID only if the agency may learn
it: `national_id` is a restricted claim (an operator grants the scope), and a global identifier
in a PDF would let agencies of different sectors join the pairwise subjects they each hold."""

from __future__ import annotations

import sqlalchemy as sa

from infra.db import get_db
from tests.idp.conftest import enrol
from tests.idp.documents.conftest import agency_token, consented_sub, proof_in_person, register
from tests.idp.documents.test_api import _issue
from tests.signing import samples


def _kept_and_logged(app, document_id: str):
    from idp.audit.models import AuditEntry
    from idp.wallet.models import CredentialData

    with get_db(app).read() as session:
        kept = session.get(CredentialData, document_id).data
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.reference == document_id)).one()
        return kept, list(entry.claims)


def test_an_agency_without_the_national_id_scope_gets_no_national_id_in_its_document(
        web, docs_app, agency, signed_in):
    """Before: the residence template printed the register's national ID whenever the agency
    left `identity_document` out, so any agency with documents:issue (scope "openid profile
    documents:issue", never granted national_id) downloaded it in the PDF, and the log said
    only "name"."""
    enrolled, sub = signed_in
    response = _issue(web, agency_token(web, agency), subject=sub)
    assert response.status_code == 201, response.get_json()
    kept, logged = _kept_and_logged(docs_app, response.get_json()["id"])
    assert "identity_document" not in kept
    assert enrolled.national_id not in repr(kept)
    assert logged == ["name"]


def test_an_agency_granted_national_id_gets_it_and_the_log_says_so(web, docs_app):
    census = register(docs_app, scope="openid profile national_id documents:issue")
    enrolled = enrol(web)
    proof_in_person(docs_app, enrolled.citizen_id)
    sub = consented_sub(web, census)
    response = _issue(web, agency_token(web, census, scope="documents:issue"), subject=sub)
    assert response.status_code == 201, response.get_json()
    kept, logged = _kept_and_logged(docs_app, response.get_json()["id"])
    assert kept["identity_document"] == {"kind": "national_id", "number": enrolled.national_id}
    assert logged == ["name", "national_id"]


def test_a_national_id_the_agency_sent_is_still_checked_and_logged(web, docs_app, agency, signed_in):
    """Without the scope the agency's own statement of the number is still compared with the
    register (a document delivered to X never names Y), and confirming it is a release."""
    enrolled, sub = signed_in
    token = agency_token(web, agency)
    wrong = _issue(web, token, subject=sub, data={**samples.RESIDENCE, **samples.HOLDER["residence"]})
    assert wrong.status_code == 422
    own = {"kind": "national_id", "number": enrolled.national_id}
    right = _issue(web, token, subject=sub, data={**samples.RESIDENCE, "identity_document": own})
    assert right.status_code == 201, right.get_json()
    _, logged = _kept_and_logged(docs_app, right.get_json()["id"])
    assert logged == ["name", "national_id"]
