"""What sealing keeps from one document to the next (issue 16): the space a signer's
signature takes at a level (so pyHanko's trial signature runs once, not per document) and the
time stamper (no throwaway TSA token per B-LTA document), both dropped when the PKI changes.
Every document still validates; a signature that no longer fits is signed again."""

from __future__ import annotations

import pytest
from pyhanko.sign.signers.pdf_signer import PdfSigningSession

from keys.pki import GENERATION
from tests.signing.test_pades import AGENCY, _field, _rendered, _root, _seal
from tests.signing.validation import lta, passed


@pytest.fixture
def estimates(monkeypatch, documents):
    """How many times pyHanko estimates a signature's size (a trial signature each), from a
    sealer that has learnt nothing yet (it lives as long as the test session)."""
    documents.sealer._reserved.clear()
    documents.sealer._timestamper = None
    calls = []
    original = PdfSigningSession.estimate_signature_container_size

    async def counted(self, *args, **kwargs):
        calls.append(1)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(PdfSigningSession, "estimate_signature_container_size", counted)
    return calls


@pytest.mark.parametrize("level", ["B-B", "B-LTA"])
def test_the_trial_signature_runs_for_the_first_document_only(documents, estimates, level):
    first = _seal(documents, level=level)
    assert len(estimates) == 1
    later = [_seal(documents, level=level) for _ in range(2)]
    assert len(estimates) == 1
    if level == "B-LTA":
        for pdf in (first, *later):
            result = lta(pdf, _root(documents))
            assert passed(result), result


def test_one_time_stamper_serves_many_documents(documents, estimates):
    _seal(documents, level="B-T")
    stamper = documents.sealer._timestamper
    assert stamper is not None
    _seal(documents, level="B-LTA")
    assert documents.sealer._timestamper is stamper


def test_a_signature_that_no_longer_fits_is_signed_again_with_a_fresh_estimate(documents, estimates):
    _seal(documents, level="B-LTA")
    key = next(iter(documents.sealer._reserved))
    documents.sealer._reserved[key] = 64  # far too small for any signature
    pdf = _seal(documents, level="B-LTA")
    assert len(estimates) == 2
    assert documents.sealer._reserved[key] > 64
    result = lta(pdf, _root(documents))
    assert passed(result), result


def test_a_pki_change_drops_what_was_kept(documents, estimates):
    _seal(documents, level="B-LTA")
    assert documents.sealer._reserved and documents.sealer._timestamper is not None
    custody = documents.keys.custody
    with custody.database.transaction() as session:
        custody.bump(session, GENERATION)  # e.g. a new TSA certificate
    _seal(documents, level="B-LTA")
    assert len(estimates) == 2  # estimated again


def test_a_pki_change_drops_the_time_stamper_for_citizen_signatures_too(documents, estimates):
    """A citizen's signature reaches `Sealer.sign` without `seal`: it too must see the PKI
    change, or it keeps a time stamper of the old PKI (a 500 in the browser suite after a PKI
    was rebuilt: "no issuer matching Cédula Root CA")."""
    _seal(documents, level="B-T")
    stale = documents.sealer._timestamper
    assert stale is not None
    custody = documents.keys.custody
    with custody.database.transaction() as session:
        custody.bump(session, GENERATION)
    rendered = _rendered()
    signer = documents.sealer.seal_signer(AGENCY)
    documents.sealer.sign(rendered.pdf, signer=signer, level="B-T", field=_field(rendered))
    assert documents.sealer._timestamper is not stale
