"""Forgeries of the pdfatk6 review that the verifier already refused: kept as regressions.

- a second signature field whose /V is the first field's signature dictionary, or a copy of
  it (one signature counted twice, under a name the forger chose);
- a font of the form's default resources (/DR) redefined in an update, so that a field
  without an appearance (drawn by the viewer from /DA and /DR) shows other glyphs;
- an empty update whose trailer names another catalog, prepared before signing, that shows
  other pages;
- a document time-stamp taken from another document;
- a signer's chain that loops (two CA certificates that issued each other).
"""

from __future__ import annotations

import io
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import signers

from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples

_HELVETICA = {N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}
NINES = b" /Encoding << /Type /Encoding /Differences [48 /nine 49 /nine] >>"


def _numbers(*values: int) -> generic.ArrayObject:
    return generic.ArrayObject([generic.NumberObject(v) for v in values])


def _one_page(writer: PdfFileWriter, text: bytes = samples.TEXT) -> generic.DictionaryObject:
    font = writer.add_object(generic.DictionaryObject(_HELVETICA))
    return generic.DictionaryObject({
        N("/Type"): N("/Page"), N("/MediaBox"): _numbers(0, 0, 595, 842),
        N("/Resources"): generic.DictionaryObject({N("/Font"): generic.DictionaryObject(
            {N("/F1"): font})}),
        N("/Contents"): writer.add_object(generic.StreamObject(stream_data=text))})


def _written(writer) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _second_field(signed: bytes, value) -> bytes:
    """`signed` with a hidden signature field «Director General» whose /V is `value(writer,
    first signature dictionary)`."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    first = writer.root["/AcroForm"]["/Fields"][0].get_object()
    page_ref = writer.root["/Pages"]["/Kids"][0]
    widget = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/FT"): N("/Sig"),
        N("/T"): generic.TextStringObject("Director General"), N("/F"): generic.NumberObject(132),
        N("/Rect"): _numbers(0, 0, 0, 0), N("/P"): page_ref, N("/V"): value(writer, first)}))
    return kit.with_widget(writer, page_ref.get_object(), widget)


def test_a_second_field_naming_the_first_signature_is_not_valid(verifier, signed):
    report = verifier.verify(_second_field(signed, lambda _w, first: first.raw_get("/V")))
    assert report.verdict.value == "not_valid"
    assert {s.modifications.level for s in report.signatures} == {"other"}


def test_a_second_field_with_a_copy_of_the_first_signature_is_not_valid(verifier, signed):
    def copy(writer, first):
        original = first["/V"]
        return writer.add_object(generic.DictionaryObject(
            {key: original.raw_get(key) for key in original}))

    report = verifier.verify(_second_field(signed, copy))
    assert report.verdict.value == "not_valid"
    director = next(s for s in report.signatures if s.field == "Director General")
    assert (director.reason, director.modifications.level) == ("wrapped", "unclear")


def _field_drawn_from_dr() -> tuple[bytes, int]:
    """A text field with no appearance (the viewer draws it from /DA and the form's /DR), and
    the number of the /DR font object."""
    writer = PdfFileWriter()
    writer.insert_page(_one_page(writer))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    dr_font = writer.add_object(generic.DictionaryObject(_HELVETICA))
    widget = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/FT"): N("/Tx"),
        N("/T"): generic.TextStringObject("Importe"), N("/Rect"): _numbers(72, 700, 272, 730),
        N("/P"): page_ref, N("/V"): generic.TextStringObject("100 EUR"),
        N("/Ff"): generic.NumberObject(1), N("/DA"): generic.TextStringObject("/Helv 12 Tf 0 g")}))
    page_ref.get_object()[N("/Annots")] = generic.ArrayObject([widget])
    writer.root[N("/AcroForm")] = writer.add_object(generic.DictionaryObject({
        N("/Fields"): generic.ArrayObject([widget]),
        N("/DR"): generic.DictionaryObject({N("/Font"): generic.DictionaryObject(
            {N("/Helv"): dr_font})})}))
    return _written(writer), dr_font.idnum


def test_a_default_resource_font_redefined_after_signing_is_not_valid(verifier, pki):
    pdf, font = _field_drawn_from_dr()
    signed = samples.sign(pdf, samples.signer_for(pki.signer, pki),
                          stamper=samples.timestamper(pki))
    assert verifier.verify(signed).conclusion.passed
    size, previous, root = kit.tail_facts(signed)
    body = signed + b"%d 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica%s >>\n" \
        b"endobj\n" % (font, NINES)
    forged = kit.finish(body + kit.table({font: len(signed)}, size, root, previous), len(body))
    report = verifier.verify(forged)
    assert report.verdict.value == "not_valid"
    assert report.signatures[0].modifications.level == "other"


def test_an_empty_update_naming_another_catalog_is_not_valid(verifier, pki):
    writer = PdfFileWriter()
    writer.insert_page(_one_page(writer))
    form = writer.add_object(generic.DictionaryObject({N("/Fields"): generic.ArrayObject()}))
    writer.root[N("/AcroForm")] = form
    pages = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Pages"), N("/Count"): generic.NumberObject(1)}))
    forged_page = _one_page(writer, b"BT /F1 18 Tf 72 760 Td (Importe: 9999 EUR) Tj ET")
    forged_page[N("/Parent")] = pages
    pages.get_object()[N("/Kids")] = generic.ArrayObject([writer.add_object(forged_page)])
    other = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Catalog"), N("/Pages"): pages, N("/AcroForm"): form}))
    writer.root[N("/CedulaOtherCatalog")] = other  # signed, unused
    signed = samples.sign(_written(writer), samples.signer_for(pki.signer, pki),
                          stamper=samples.timestamper(pki))
    size, previous, _root = kit.tail_facts(signed)
    forged = kit.finish(signed + kit.table({}, size, b"%d 0 R" % other.idnum, previous),
                        len(signed))
    report = verifier.verify(forged)
    assert report.verdict.value == "not_valid"
    assert report.signatures[0].modifications.level == "other"


def test_a_document_time_stamp_of_another_document_vouches_for_nothing(verifier, pki, signed):
    def stamped(pdf: bytes) -> bytes:
        return signers.PdfTimeStamper(samples.timestamper(pki)).timestamp_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)), "sha256").getvalue()

    other = stamped(samples.sign(samples.blank_pdf(text="Otro"),
                                 samples.signer_for(pki.signer, pki),
                                 stamper=samples.timestamper(pki)))
    forged = kit.put_cms(stamped(signed), kit.cms_of(other, 1), 1)
    report = verifier.verify(forged)
    (stamp,) = report.document_timestamps
    assert (stamp.valid, stamp.reason) == (False, "hash_failure")
    assert report.unsigned_additions  # what only it covers is unsigned
    assert report.signatures[0].level != "B-LTA"


def _ca(subject: x509.Name, key, issuer: x509.Name, issuer_key) -> samples.Party:
    return samples.Party((
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(samples.NOW - timedelta(days=1))
        .not_valid_after(samples.NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer_key.public_key()), critical=False)
        .sign(issuer_key, hashes.SHA256())), key)


def test_a_chain_that_loops_is_not_trusted_and_ends(verifier, pki):
    one, two = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    first = _ca(samples._name("CA uno"), one, samples._name("CA dos"), two)
    second = _ca(samples._name("CA dos"), two, samples._name("CA uno"), one)
    signer = samples._issue("Bucle", first, ca=False, not_before=samples.NOW - timedelta(days=1),
                            not_after=samples.NOW + timedelta(days=30))
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(signer, pki, chain=(first, second)),
                       stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert (report.indication.value, report.conclusion.sub_indication) == (
        "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
