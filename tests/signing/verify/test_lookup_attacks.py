"""Finding the issued document a file is (`signing.verify.lookup`), against files made to be
taken for one: a report must never name a document whose signed bytes the file does not
actually hold as one of its revisions."""

from __future__ import annotations

from tests.signing.verify import forgeries, samples


def _pdf(client, data: bytes):
    return client.post("/api/verify", data=data, headers={"Content-Type": "application/pdf"})


def test_a_new_document_written_after_an_issued_one_is_not_that_document(pki_app, issued, pki):
    """Attack: the issued PDF, then a whole new PDF (its own xref, no /Prev) signed by a
    valid signer. A reader shows only the new document; the issued bytes are an unreferenced
    prefix ending in %%EOF. The look-up matched them as an "earlier revision", and the report
    said VALID for the agency's document while the file shows another text."""
    _, pdf = issued
    client = pki_app.test_client()
    forged = forgeries.new_document_after(pdf)
    unsigned = _pdf(client, forged).get_json()
    assert unsigned["indication"] == "INDETERMINATE" and unsigned["signatures"] == []
    assert unsigned["document"] is None
    signed = samples.sign(forged, samples.signer_for(pki.signer, pki), field="Atacante")
    body = _pdf(client, signed).get_json()
    assert [s["field"] for s in body["signatures"]] == ["Atacante"]
    assert body["document"] is None and body["citizen_signed"] is None


def test_an_update_appended_to_an_issued_document_still_finds_it(pki_app, issued):
    """What revision matching is for: the issued file plus an incremental update (here a
    forbidden change) is still recognised as that document, and not valid."""
    document, pdf = issued
    body = _pdf(pki_app.test_client(), forgeries.incremental_saving(pdf)).get_json()
    assert body["document"]["csv"] == document.csv and body["document"]["matched_by"] == "revision"
    assert body["verdict"] == "not_valid"
