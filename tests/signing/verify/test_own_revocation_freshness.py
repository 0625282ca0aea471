"""Our own signatures get the same revocation-freshness rule as everyone's.

`signing.verify.freshness` used to exempt signatures under this service's own root; it no
longer does. Documents sealed before 2026-12 have their validation data in the signed
revision, produced before their time-stamp (`signing.pades.DSS_SETTINGS`): they pass on
status information issued after their time-stamp that this service knows, its own current
CRLs (`Evidence.crls`), and only on that.
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


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_old_layout_without_later_status_is_not_passed(documents, pki_app, level):
    """No status information after its time-stamp (the DSS's is older, and so is our CRL):
    INDETERMINATE, as for anyone's signature; the own root no longer exempts it."""
    pdf = seal_the_old_way(documents, level)
    report = _verify(pki_app, pdf)
    seal = report.signatures[0]
    assert report.indication.value == "INDETERMINATE", seal
    assert seal.conclusion.sub_indication == "TRY_LATER", seal.conclusion


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
