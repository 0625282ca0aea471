"""Our own signatures get the same revocation-freshness rule as everyone's.

`signing.verify.freshness` used to exempt signatures under this service's own root; it no
longer does. Documents sealed before 2026-12 have their validation data in the signed
revision, produced before their time-stamp (`signing.pades.DSS_SETTINGS`), and a B-T seal has
none: they pass on status information issued after their time-stamp that this service knows,
its own current CRLs (`Evidence.crls`) or, asked when nothing else is, its own OCSP
responder about a certificate of its own issuing CA (`Evidence.own_status`). A verifier
without those (anyone else's) says TRY_LATER.
"""

from __future__ import annotations

import io
import time

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm

import keys
from signing.pades import DSS_SETTINGS
from tests.signing.conftest import AGENCY, OTHER_AGENCY
from tests.signing.test_pades import _field, _rendered


def seal_the_old_way(documents, level: str = "B-LTA") -> bytes:
    """A seal as `signing.pades.Sealer` made it before 2026-12: the DSS in the signed revision,
    with the OCSP responses and CRLs the sealer kept from a second or more before."""
    rendered = _rendered()
    field = _field(rendered)
    signer = documents.sealer.seal_signer(AGENCY)
    context = documents.sealer.validation_context(signer.signing_cert)
    time.sleep(1.1)  # the revocation data kept is from an earlier second than the time-stamp
    writer = IncrementalPdfFileWriter(io.BytesIO(rendered.pdf), strict=False)
    fields.append_signature_field(writer, fields.SigFieldSpec(
        sig_field_name=field.name, on_page=field.page,
        box=tuple(round(v) for v in field.box), readable_field_name=field.description))
    meta = signers.PdfSignatureMetadata(
        field_name=field.name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=True, use_pades_lta=level == "B-LTA", certify=True,
        docmdp_permissions=MDPPerm.FILL_FORMS, dss_settings=DSS_SETTINGS,
        validation_context=context)
    pdf_signer = signers.PdfSigner(meta, signer=signer,
                                   timestamper=keys.InProcessTimeStamper(documents.keys))
    return bytes(pdf_signer.sign_pdf(writer, existing_fields_only=True).getvalue())


def _verify(app, pdf: bytes):
    from signing.verify.service import get_verification

    return get_verification(app).verify(pdf)


def _reissue_issuing_crl(documents) -> None:
    """The issuing CA's CRL issued now (as on any revocation, or once half its validity has
    passed): another agency's seal certificate is revoked."""
    other = keys.seal_signer(documents.keys, client_id=OTHER_AGENCY).signing_cert
    documents.keys.pki.revoke(serial=f"{other.serial_number:x}", reason="superseded",
                              now=documents.keys.now())


def _verify_as_a_stranger(app, pdf: bytes):
    """What a verifier knows that trusts our root but is not this service: the file and our
    published CRLs, no answer from our OCSP responder."""
    from dataclasses import replace

    from signing.verify.service import get_verification
    from signing.verify.validation import Verifier

    ours = get_verification(app).verifier
    stranger = Verifier(trust=ours.trust, evidence=lambda now: replace(ours.evidence(now), own_status=None),
                        clock=ours.clock, max_bytes=ours.max_bytes, limits=ours.limits,
                        expectations=ours.expectations)
    return stranger.verify(pdf)


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_old_layout_without_later_status_is_not_passed_by_a_stranger(documents, pki_app, level):
    """No status information after its time-stamp (the DSS's is older, and so is our CRL):
    INDETERMINATE, as for anyone's signature; the own root no longer exempts it."""
    pdf = seal_the_old_way(documents, level)
    report = _verify_as_a_stranger(pki_app, pdf)
    seal = report.signatures[0]
    assert report.indication.value == "INDETERMINATE", seal
    assert seal.conclusion.sub_indication == "TRY_LATER", seal.conclusion


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_old_layout_passes_here_on_our_own_responders_answer_now(documents, pki_app, level):
    """This service is the CA: its OCSP responder says now, after the time-stamp, that the
    seal's certificate is good (the verify page and `cedula verify` do not say TRY_LATER
    for our own documents)."""
    pdf = seal_the_old_way(documents, level)
    report = _verify(pki_app, pdf)
    seal = report.signatures[0]
    assert report.conclusion.passed, seal
    assert seal.revocation.status == "good", seal.revocation


def test_a_b_t_seal_passes_here_at_once_and_not_for_a_stranger(documents, pki_app):
    """A B-T seal carries no validation data: right after sealing, only the CA's answer
    issued after its time-stamp can show its certificate was not revoked."""
    rendered = _rendered()
    pdf = documents.sealer.seal(rendered.pdf, client_id=AGENCY, level="B-T", field=_field(rendered)).pdf
    assert _verify(pki_app, pdf).conclusion.passed
    stranger = _verify_as_a_stranger(pki_app, pdf).signatures[0]
    assert stranger.conclusion.sub_indication == "TRY_LATER", stranger.conclusion


def test_a_b_t_seal_whose_key_was_compromised_before_it_is_not_passed(documents, pki_app):
    """The responder's answer after the time-stamp says revoked, compromised since before the
    seal: the answer that makes the seal fresh must not make it good."""
    from datetime import timedelta

    rendered = _rendered()
    before = documents.keys.now() - timedelta(minutes=5)
    pdf = documents.sealer.seal(rendered.pdf, client_id=AGENCY, level="B-T", field=_field(rendered)).pdf
    time.sleep(1.1)  # revoked a second after the time-stamp
    mine = keys.seal_signer(documents.keys, client_id=AGENCY).signing_cert
    documents.keys.pki.revoke(serial=f"{mine.serial_number:x}", reason="keyCompromise",
                              now=documents.keys.now(), invalidity_date=before)
    for report in (_verify(pki_app, pdf), _verify_as_a_stranger(pki_app, pdf)):
        assert not report.conclusion.passed, report.signatures[0]
        assert report.signatures[0].revocation.status == "revoked", report.signatures[0]


def test_our_responder_is_not_asked_about_another_cas_certificate(documents, pki_app):
    """The responder answers by serial number: a foreign certificate that carries one of our
    serials must not be vouched for."""
    from signing.verify.service import own_status

    mine = keys.seal_signer(documents.keys, client_id=AGENCY).signing_cert
    material = documents.keys.pki.material()
    now = documents.keys.now()
    assert own_status(documents.keys)(mine, material.issuing.certificate, now) is not None
    assert own_status(documents.keys)(mine, material.root.certificate, now) is None


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_old_layout_passes_on_our_crl_issued_after_its_timestamp(documents, pki_app, level):
    pdf = seal_the_old_way(documents, level)
    time.sleep(1.1)  # the CRL's thisUpdate is to the second
    _reissue_issuing_crl(documents)
    report = _verify(pki_app, pdf)
    seal = report.signatures[0]
    assert report.conclusion.passed, seal
    assert seal.level == level
    assert seal.revocation.status == "good", seal.revocation


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_new_layout_passes_on_its_own_dss(documents, pki_app, level):
    """Sealed now: the DSS's OCSP response postdates the time-stamp; our own CRL does not
    (issued before, and not reissued since), so the DSS is what passes it."""
    rendered = _rendered()
    documents.sealer.seal(rendered.pdf, client_id=AGENCY, level="B-LTA", field=_field(rendered))
    time.sleep(1.1)  # what the sealer and the responder keep is from an earlier second
    pdf = documents.sealer.seal(rendered.pdf, client_id=AGENCY, level=level,
                                field=_field(rendered)).pdf
    report = _verify(pki_app, pdf)
    seal = report.signatures[0]
    assert report.conclusion.passed, seal
    assert seal.level == level
    assert seal.signed_as == "agency_seal"
