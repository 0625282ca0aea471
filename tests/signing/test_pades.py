"""PAdES sealing: every level, the LTA validation by pyHanko, tampering, tagging, caching."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.diff_analysis import ModificationLevel

from signing.pades import SealError, SealUnavailable, SignatureField
from signing.stamp import SignatureStampStyle
from tests.signing import samples
from tests.signing.conftest import AGENCY, AGENCY_NAME
from tests.signing.validation import lta, passed, reader


def _root(documents):
    return documents.keys.pki.material().root.certificate


def _rendered():
    from datetime import UTC, datetime

    from signing import csv
    from signing.render import render

    code = csv.generate()
    return render("residence", samples.RESIDENCE, language="es", agency_name=AGENCY_NAME,
                  issued_at=datetime.now(UTC), csv=code,
                  verify_url=f"http://localhost/verify/{code}", citizen_name="María José")


def _field(rendered, **kwargs):
    return SignatureField(name="Seal", page=rendered.signature_page, box=rendered.signature_box,
                          description="Sello electrónico", tag=True,
                          stamp=SignatureStampStyle(kicker="Sellado por", name=AGENCY_NAME,
                                                    when="hoy"), **kwargs)


def _seal(documents, level="B-LTA"):
    rendered = _rendered()
    return documents.sealer.seal(rendered.pdf, client_id=AGENCY, level=level,
                                 field=_field(rendered)).pdf


def test_lta_seal_is_intact_valid_trusted_and_lta(documents):
    pdf = _seal(documents)
    result = lta(pdf, _root(documents))
    assert passed(result), result
    status = result.api_status
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.modification_level == ModificationLevel.LTA_UPDATES
    assert result.oldest_evidence_record_timestamp is not None  # the document time-stamp
    assert status.timestamp_validity is not None and status.timestamp_validity.valid
    signatures = reader(pdf).embedded_signatures
    assert signatures[0].field_name == "Seal"
    assert signatures[-1].sig_object["/Type"] == "/DocTimeStamp"
    assert b"/DSS" in pdf


@pytest.mark.parametrize(("level", "timestamp", "dss", "doc_ts"), [
    ("B-B", False, False, False), ("B-T", True, False, False),
    ("B-LT", True, True, False), ("B-LTA", True, True, True)])
def test_each_level_adds_what_it_should(documents, level, timestamp, dss, doc_ts):
    pdf = _seal(documents, level)
    r = reader(pdf)
    seal = r.embedded_regular_signatures[0]
    unsigned = seal.signer_info["unsigned_attrs"].native or []
    assert any(a["type"] == "signature_time_stamp_token" for a in unsigned) is timestamp
    assert ("/DSS" in r.root) is dss
    assert any(s.sig_object.get("/Type") == "/DocTimeStamp"
               for s in r.embedded_signatures) is doc_ts


def test_unknown_level_is_refused(documents):
    with pytest.raises(SealError, match="B-B, B-T, B-LT, B-LTA, not 'LTA'"):
        _seal(documents, "LTA")


def test_changed_byte_in_signed_range_is_detected(documents):
    pdf = bytearray(_seal(documents))
    seal = reader(bytes(pdf)).embedded_regular_signatures[0]
    start, length = seal.byte_range[0], seal.byte_range[1]
    at = bytes(pdf).index(b"/Creator", start, start + length) + 3
    pdf[at] ^= 0x01
    result = lta(bytes(pdf), _root(documents))
    assert not passed(result)
    assert result.api_status is None or not result.api_status.intact


def test_incremental_update_changing_the_page_is_detected(documents):
    pdf = _seal(documents)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    extra = generic.StreamObject(stream_data=b"BT /R 30 Tf 1 0 0 1 100 400 Tm <0030> Tj ET")
    writer.add_stream_to_page(0, writer.add_object(extra))
    out = io.BytesIO()
    writer.write(out)
    result = lta(out.getvalue(), _root(documents))
    # The AdES indication covers the signature itself; pyHanko reports changes made after
    # signing through the modification level, which the bottom line takes into account.
    status = result.api_status
    assert status is not None and status.modification_level == ModificationLevel.OTHER
    assert not status.bottom_line


def test_signature_widget_is_tagged_with_an_accessible_name(documents):
    pdf = _seal(documents)
    r = reader(pdf)
    widget = r.root["/AcroForm"]["/Fields"][0]
    assert widget["/TU"] == "Sello electrónico"
    key = widget["/StructParent"]
    tree = r.root["/StructTreeRoot"]
    nums = list(tree["/ParentTree"]["/Nums"])
    element = dict(zip(nums[::2], nums[1::2], strict=True))[key].get_object()
    assert element["/S"] == "/Form" and element["/Alt"] == "Sello electrónico"
    assert element["/K"]["/Type"] == "/OBJR"
    assert element["/K"].raw_get("/Obj").idnum == r.root["/AcroForm"]["/Fields"].raw_get(0).idnum
    assert tree["/ParentTreeNextKey"] == key + 1
    document = tree["/K"][0]
    assert document["/K"].raw_get(len(document["/K"]) - 1).idnum == element.container_ref.idnum


def test_stamp_names_the_agency_and_time_in_the_documents_font(documents):
    pdf = _seal(documents)
    widget = reader(pdf).root["/AcroForm"]["/Fields"][0]
    appearance = widget["/AP"]["/N"]
    fonts = appearance["/Resources"]["/Font"]
    assert {str(f.get_object()["/BaseFont"]) for f in fonts.values()} <= {
        "/NotoSans-Regular", "/NotoSans-Bold"}
    assert fonts["/B"]["/DescendantFonts"][0]["/FontDescriptor"]["/FontFile2"] is not None


def test_seal_signer_is_reused_until_something_is_revoked(documents):
    first = documents.sealer.seal_signer(AGENCY)
    assert documents.sealer.seal_signer(AGENCY) is first
    _seal(documents, "B-B")
    assert documents.sealer.seal_signer(AGENCY) is first
    service = documents.keys
    serial = f"{first.signing_cert.serial_number:x}"
    service.pki.revoke(serial=serial, reason="keyCompromise", now=service.now())
    with pytest.raises(SealUnavailable, match="has no valid seal certificate"):
        _seal(documents, "B-B")


def test_agency_without_seal_certificate_is_told_what_to_do(documents):
    rendered = _rendered()
    with pytest.raises(SealUnavailable, match="run `cedula pki issue-seal --client nobody --organization "
                                              "\"LEGAL NAME\" --organization-id NTRSV-NUMBER`"):
        documents.sealer.seal(rendered.pdf, client_id="nobody", level="B-B",
                              field=_field(rendered))


def test_seal_is_a_certification_signature(documents):
    """Issue 13: agency seals certify the document (DocMDP P=2), so viewers lock it too."""
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation.pdf_embedded import read_certification_data

    pdf = _seal(documents)
    certification = read_certification_data(reader(pdf))
    assert certification is not None and certification.permission == MDPPerm.FILL_FORMS
    assert passed(lta(pdf, _root(documents)))


def test_header_and_catalog_agree_on_the_version(documents):
    """Issue 13: no %PDF-1.7 header under a /Version /2.0 catalog."""
    pdf = _seal(documents)
    assert pdf.startswith(b"%PDF-2.0\n")
    version = reader(pdf).root.get("/Version")
    assert version in (None, "/2.0")
