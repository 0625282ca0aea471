"""A document's metadata says its status (valid, revoked, superseded), which changes: its
answers are never stored by a cache (`Cache-Control: no-store`), as a prepared document's
status and the PDF already were. They carried no Cache-Control, and a 200 is heuristically
cacheable (RFC 9111 section 4.2.2): a portal behind a caching client could read "valid" after
it revoked the document."""

from __future__ import annotations

from tests.idp.documents.conftest import agency_token
from tests.idp.oidc.conftest import bearer
from tests.signing import samples


def test_metadata_answers_are_not_stored(web, agency, signed_in):
    _, sub = signed_in
    token = bearer(agency_token(web, agency))
    issued = web.post("/api/documents", json={"template": "residence", "subject": sub, "level": "B-B",
                                              "data": samples.RESIDENCE}, headers=token)
    assert issued.status_code == 201, issued.get_json()
    assert issued.headers["Cache-Control"] == "no-store"
    shown = web.get(f"/api/documents/{issued.get_json()['id']}", headers=token)
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    refused = web.post("/api/documents", json={"template": "residence", "subject": sub, "data": {}},
                       headers=token)
    assert refused.status_code == 422
    assert refused.headers["Cache-Control"] == "no-store"
