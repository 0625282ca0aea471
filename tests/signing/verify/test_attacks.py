"""Attacks of the outside review (issue 13) on the verifier, with files the tests craft.

Each test failed on the verifier before the fix (a forged file TOTAL-PASSED, a crash, or
hours of work) and now gets its exact indication.
"""

from __future__ import annotations

import hashlib

import pytest

from signing.verify import lookup
from signing.verify.errors import UnreadableDocument
from tests.signing.verify import forgeries, samples


def _verdict(report):
    return report.indication.value, report.conclusion.sub_indication


def test_literal_string_contents_cannot_smuggle_a_revision(verifier, signed):
    forged = forgeries.literal_contents(signed)
    assert b"9999 EUR" in forged
    report = verifier.verify(forged)
    assert _verdict(report) == ("TOTAL-FAILED", "FORMAT_FAILURE")
    sig = report.signatures[0]
    assert sig.modifications.level == "unclear" and not sig.covers_whole_document
    assert "hexadecimal string" in sig.modifications.detail
    assert sig.reason == "wrapped"


def test_literal_string_contents_of_a_basic_signature(verifier, pki):
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))
    report = verifier.verify(forgeries.literal_contents(pdf))
    assert _verdict(report) == ("TOTAL-FAILED", "FORMAT_FAILURE")


def test_a_hex_string_that_is_not_the_parsed_cms_is_refused():
    from signing.verify import byterange

    body = b"%PDF-1.7\n1 0 obj<</Contents <3082> /ByteRange [0 20 26 10]>>\n%%EOF\n"
    raw = byterange.check(body + b"x" * 4, (0, 28, 34, 4), b"\x30\x83")
    assert not raw.ok


def test_signature_without_its_certificate_is_a_format_failure(verifier, signed):
    report = verifier.verify(forgeries.without_signer_certificate(signed))
    assert _verdict(report) == ("TOTAL-FAILED", "FORMAT_FAILURE")


@pytest.mark.parametrize("attack", [forgeries.cyclic_field_tree, forgeries.deep_field_tree],
                         ids=["cyclic", "deep"])
def test_broken_field_trees_are_unreadable_not_crashes(verifier, signed, attack):
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(attack(signed))
    assert info.value.error == "damaged_pdf"


def test_eof_bomb_is_hashed_once(monkeypatch):
    """Revision look-up hashes each byte a bounded number of times (it used to hash every
    prefix: quadratic, 83 s for 1 MB). `bench/` shows the time; this counts the bytes."""
    pdf = forgeries.eof_bomb(samples.blank_pdf(), 20000)
    hashed = 0
    real = hashlib.sha256

    class Counting:
        def __init__(self, data=b""):
            nonlocal hashed
            hashed += len(data)
            self._h = real(data)

        def update(self, data):
            nonlocal hashed
            hashed += len(data)
            self._h.update(data)

        def hexdigest(self):
            return self._h.hexdigest()

        def copy(self):
            clone = Counting()
            clone._h = self._h.copy()
            return clone

    monkeypatch.setattr(lookup.hashlib, "sha256", Counting)
    digests = lookup.revision_digests(pdf)
    assert hashed <= len(pdf)
    ends = lookup.revision_ends(pdf)
    assert len(digests) == lookup.MAX_REVISIONS
    assert digests[0] == real(pdf[:ends[-1]]).hexdigest()
    assert digests[-1] == real(pdf[:ends[-lookup.MAX_REVISIONS]]).hexdigest()


def test_eof_bomb_still_verifies(verifier):
    report = verifier.verify(forgeries.eof_bomb(samples.blank_pdf(), 20000))
    assert _verdict(report) == ("INDETERMINATE", "NO_SIGNATURE_FOUND")


def test_same_name_certificate_bomb_stops_at_the_path_building_cap(verifier, pki):
    """Nine CA certificates with one name made path building try 9! paths (> 180 s)."""
    leaf, cas = samples.certificate_bomb(9)
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(leaf, pki, chain=tuple(cas)))
    report = verifier.verify(pdf)
    assert _verdict(report) == ("INDETERMINATE", "TIME_BUDGET_EXCEEDED")
    assert report.signatures == () and report.reason == "budget_exceeded"
    assert "could not be finished" in report.summary("en")


def test_too_many_certificates_in_one_cms(verifier, pki):
    leaf, cas = samples.certificate_bomb(21)
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(leaf, pki, chain=tuple(cas)))
    report = verifier.verify(pdf)
    assert _verdict(report) == ("INDETERMINATE", "CERTIFICATE_CHAIN_GENERAL_FAILURE")
    assert report.signatures[0].reason == "too_many_certificates"


def test_time_budget_answers_indeterminate(verifier, signed):
    from dataclasses import replace

    from signing.verify.validation import Verifier

    hurried = Verifier(trust=verifier.trust, evidence=verifier.evidence, clock=verifier.clock,
                       max_bytes=verifier.max_bytes,
                       limits=replace(verifier.limits, seconds=0.0))
    report = hurried.verify(signed)
    assert _verdict(report) == ("INDETERMINATE", "TIME_BUDGET_EXCEEDED")


SHADOWS = [
    ("signed_with_field", forgeries.need_appearances, "form_filling"),
    ("signed_with_field", forgeries.form_default_appearance, "form_filling"),
    ("signed", forgeries.info_title, "metadata"),
    ("signed", forgeries.false_pdfa_claim, "metadata"),
    ("signed", forgeries.mark_info, "metadata"),
    ("signed", forgeries.catalog_version, "metadata"),
]


@pytest.mark.parametrize(("fixture", "attack", "level"), SHADOWS,
                         ids=[a[1].__name__ for a in SHADOWS])
def test_changes_of_what_is_shown_or_claimed_are_not_passed(request, verifier, fixture, attack,
                                                           level):
    original = request.getfixturevalue(fixture)
    assert verifier.verify(original).conclusion.passed
    report = verifier.verify(attack(original))
    assert _verdict(report) == ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")
    sig = report.signatures[0]
    assert sig.modifications.level == level and sig.modifications.detail
    assert not sig.covers_whole_document


def test_shadow_field_value_then_need_appearances(verifier, pki):
    """A field that shows one value and stores another, signed; /NeedAppearances switched on
    after signing makes viewers show the stored one."""
    pdf = samples.blank_pdf(with_field=True, stored_value="9999 EUR")
    signed = samples.sign(pdf, samples.signer_for(pki.signer, pki),
                          stamper=samples.timestamper(pki))
    report = verifier.verify(forgeries.need_appearances(signed))
    assert _verdict(report) == ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")
    assert "/NeedAppearances" in report.signatures[0].modifications.detail


def test_certificate_expired_before_the_signature_timestamp(verifier, pki):
    """Issue 13: the time-stamp proves the signature existed only after the certificate had
    expired; nothing proves it was made while the certificate was valid."""
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.expired, pki),
                       stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert _verdict(report) in {("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE"),
                                ("TOTAL-FAILED", "EXPIRED")}
    assert not report.conclusion.passed


def test_a_time_stamping_certificate_cannot_sign_a_document(verifier, pki):
    """Attack: the TSA's certificate (EKU timeStamping only, under the trusted CA) signs a PDF.
    RFC 5280, 4.2.1.12: a certificate with an EKU may only be used for the purposes it lists;
    NSS (pdfsig) refuses a CMS signer whose EKU lacks emailProtection. It passed."""
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.tsa, pki))
    report = verifier.verify(pdf)
    assert _verdict(report) == ("INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE")  # EN 319 102-1


def test_an_object_listed_twice_in_one_xref_section_is_not_passed(verifier, signed):
    """Attack (parser differential): an update lists the page's content stream twice in its
    cross-reference table, the forged one first, the signed one last. pyHanko read the last
    (no change: TOTAL-PASSED), poppler shows the first (the forged amount)."""
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(forgeries.duplicate_xref_entry(signed))
    assert info.value.error == "damaged_pdf"
    assert "twice" in info.value.description


@pytest.mark.parametrize("entries", [200_000, 50_000_000])
def test_a_cross_reference_bomb_is_refused_before_it_is_read(verifier, signed, entries):
    """Attack: 13 KB whose cross-reference stream declares millions of zero-byte entries; the
    reader, before the time budget starts, built a table of all of them (1 million: 25 s and a
    TOTAL-PASSED verdict; 20 million: minutes and gigabytes)."""
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(forgeries.zero_width_xref_bomb(signed, entries))
    assert info.value.error == "damaged_pdf"
    assert "objects" in info.value.description


def test_declared_objects_are_read_past_comments_and_long_arrays():
    from signing.verify.xref_sections import declared_objects

    assert declared_objects(b"<< /Size %hidden\n 70 >>") == 70
    assert declared_objects(b"<< /Index [0 1 " + b"2 1 " * 5000 + b"9 %c\n 9000000] >>") == \
        1 + 5000 + 9000000
    assert declared_objects(b"<< /SizeOf 99999999 /Indexed [0 99999999] >>") == 0


def test_declared_objects_scans_a_file_of_names_once(monkeypatch):
    """No quadratic scan: a file of nothing but /Index names (no closing bracket)."""
    from signing.verify import xref_sections

    data = b"/Index " * 300_000
    calls = []
    real = xref_sections._integers
    monkeypatch.setattr(xref_sections, "_integers",
                        lambda raw: calls.append(len(raw)) or real(raw))
    assert xref_sections.declared_objects(data) == 0
    assert sum(calls) <= len(data)


def test_a_change_folded_into_one_revision_without_prev_is_not_passed(verifier, signed):
    """Attack: the incremental saving attack, then one cross-reference table for the whole
    file without /Prev, so that no earlier revision is left to compare (pdfsig: valid)."""
    report = verifier.verify(forgeries.without_prev(forgeries.incremental_saving(signed)))
    assert _verdict(report) == ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert report.signatures[0].modifications.level == "unclear"


def test_an_abandoned_verification_stops_parsing_soon(verifier, signed, monkeypatch):
    """Attack: a ~20 KB upload (object streams of millions of zeros) kept a worker thread
    parsing for minutes after the verifier had answered TIME_BUDGET_EXCEEDED: parsing one
    object never reached a budget checkpoint, so a few uploads held every core. (Such a small
    file is now refused at its object allowance first, on a fast machine before the second is
    up, and its object streams as they inflate; both are lifted here so that the time budget
    alone is what stops it.)"""
    import threading
    from dataclasses import replace

    from signing import object_streams, pdf_parsing
    from signing.verify.validation import Verifier

    monkeypatch.setattr(pdf_parsing, "object_allowance", lambda size: None)
    monkeypatch.setattr(object_streams, "MAX_INFLATION", 10**9)  # the bomb bound lifted too
    bomb = forgeries.object_stream_bomb(signed)
    assert len(bomb) < 64 * 1024
    hurried = Verifier(trust=verifier.trust, evidence=verifier.evidence, clock=verifier.clock,
                       max_bytes=verifier.max_bytes, limits=replace(verifier.limits, seconds=1.0))
    before = set(threading.enumerate())
    report = hurried.verify(bomb)
    assert _verdict(report) == ("INDETERMINATE", "TIME_BUDGET_EXCEEDED")
    workers = [t for t in threading.enumerate() if t not in before and t.name == "verification"]
    for worker in workers:  # unbounded, it parses for minutes; bounded, within a checkpoint
        worker.join(30.0)
    assert not any(worker.is_alive() for worker in workers), "the abandoned work kept parsing"


def test_a_small_file_that_expands_into_millions_of_objects_is_refused_at_its_allowance(
        verifier, signed, parsed):
    """Attack: ~20 KB of object streams holding two million objects. It held one of the few
    verification slots for the whole time budget (20 s) before TIME_BUDGET_EXCEEDED, so a
    handful of uploads kept the verifier busy (503) for everyone. The objects a file may
    parse now follow its size: it is refused (422) once past them, its slot given back."""
    import threading

    from signing import pdf_parsing

    bomb = forgeries.object_stream_bomb(signed)
    assert len(bomb) < 64 * 1024
    before = set(threading.enumerate())
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(bomb)
    assert (info.value.error, info.value.http_status) == ("document_too_complex", 422)
    assert "objects" in info.value.description
    # (+ what `read_pdf` reads before the budget starts: the trailer, catalog and DSS)
    assert len(parsed) <= pdf_parsing.object_allowance(len(bomb)) + pdf_parsing.OBJECTS_PER_CHECK
    assert len(parsed) < 2_000_000 // 10
    for worker in (t for t in threading.enumerate() if t not in before):
        worker.join(30.0)
    for _ in range(verifier.limits.concurrent):  # every slot is free again
        verifier.slots.take()
    for _ in range(verifier.limits.concurrent):
        verifier.slots.give_back()


def test_a_long_document_with_several_signatures_verifies_within_its_allowance(
        verifier, pki, parsed):
    """300 pages in object streams, signed three times: the difference analysis reads the
    document again for each pair of revisions (and pyHanko read each object stream's header
    again for every object in it: 20 s with four signatures, TIME_BUDGET_EXCEEDED)."""
    from signing import pdf_parsing

    pdf = samples.long_pdf(300)
    for field in ("Firma1", "Firma2", "Firma3"):
        pdf = samples.sign(pdf, samples.signer_for(pki.signer, pki),
                           stamper=samples.timestamper(pki), field=field)
    report = verifier.verify(pdf)
    assert _verdict(report) == ("TOTAL-PASSED", None)
    assert [s.conclusion.passed for s in report.signatures] == [True, True, True]
    assert len(parsed) < pdf_parsing.object_allowance(len(pdf)) // 4


def test_names_from_the_file_cannot_write_lines_or_turn_text_around(verifier, pki):
    """Attack: a signer's name (anyone's self-signed certificate is shown too) or a field's
    name with new lines and terminal escapes wrote lines of its own in `cedula verify`'s
    output (and could move the cursor back over the verdict); a bidirectional override
    (U+202E) showed the rest of a name backwards, on the page as in the terminal. Such
    characters are shown as their code points, everywhere the report goes."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from signing.verify.cli import render_text

    name = "Ana\x1b[1A\x1b[2K\rTOTAL-PASSED\n  signer: Ayuntamiento \u202eadirdaM"
    party = samples.signer_with_key(pki, ec.generate_private_key(ec.SECP256R1()), cn=name)
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(party, pki),
                       field="Firma\u2066\n[2] Firma")
    report = verifier.verify(pdf)
    sig = report.signatures[0]
    assert sig.signer.name == ("Ana<U+001B>[1A<U+001B>[2K<U+000D>TOTAL-PASSED<U+000A>  signer: "
                               "Ayuntamiento <U+202E>adirdaM")
    assert sig.field == "Firma<U+2066><U+000A>[2] Firma"
    assert "\u202e" not in sig.chain[0].subject and "\x1b" not in sig.chain[0].subject
    shown = render_text(report, "en")
    assert not any(c in shown for c in "\x1b\r\u202e\u2066")
    assert [line for line in shown.splitlines() if line.startswith("[")] == [
        f"[1] {sig.field}: {report.indication.value}"]
    assert report.as_json("en")["signatures"][0]["signer"]["name"] == sig.signer.name


def _with_active_content(pdf: bytes) -> bytes:
    """`pdf` with JavaScript run on opening and an attached file (before it is signed)."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import NameObject as N
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root[N("/OpenAction")] = generic.DictionaryObject({
        N("/S"): N("/JavaScript"),
        N("/JS"): generic.TextStringObject("this.getField('Importe').value = '9999 EUR';")})
    attached = writer.add_object(generic.StreamObject(stream_data=b"Importe: 9999 EUR"))
    writer.root[N("/Names")] = generic.DictionaryObject({N("/EmbeddedFiles"): generic.DictionaryObject({
        N("/Names"): generic.ArrayObject([generic.TextStringObject("factura.txt"),
                                          generic.DictionaryObject({
                                              N("/Type"): N("/Filespec"),
                                              N("/F"): generic.TextStringObject("factura.txt"),
                                              N("/EF"): generic.DictionaryObject(
                                                  {N("/F"): attached})})])})})
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_javascript_and_attached_files_in_a_valid_document_are_told(verifier, pki):
    """Attack: a validly signed file whose JavaScript, run on opening, changes what the viewer
    shows (or whose attachment holds the "real" content) was reported valid with no word of
    it: the citizen trusted what the viewer showed. The verdict stands (the signed bytes are
    intact); the report, the JSON and the command say what the file holds."""
    from signing.verify.cli import render_text

    pdf = samples.sign(_with_active_content(samples.blank_pdf()),
                       samples.signer_for(pki.signer, pki), stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert _verdict(report) == ("TOTAL-PASSED", None)
    assert report.active_content == ("actions", "embedded_files")
    assert [a["kind"] for a in report.as_json("es")["active_content"]] == [
        "actions", "embedded_files"]
    assert "JavaScript" in report.as_json("es")["active_content"][0]["message"]
    assert "WARNING: Attached files" in render_text(report, "en")


@pytest.mark.parametrize("opening", ["destination", "go_to"])
def test_a_plain_opening_view_is_not_active_content(verifier, pki, opening):
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import NameObject as N
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf()))
    page = writer.root["/Pages"]["/Kids"].raw_get(0)
    where = generic.ArrayObject([page, N("/Fit")])
    writer.root[N("/OpenAction")] = where if opening == "destination" else \
        generic.DictionaryObject({N("/S"): N("/GoTo"), N("/D"): where})
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    report = verifier.verify(samples.sign(out.getvalue(), samples.signer_for(pki.signer, pki)))
    assert report.active_content == ()
