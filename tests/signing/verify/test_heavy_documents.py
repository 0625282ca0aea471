"""Large files, many signatures and decompression bombs: the work a verification does.

- A 1000-page document signed six times was TIME_BUDGET_EXCEEDED: 19 of its 23 s went into
  pyHanko's map of where each object of a signed revision is used, rebuilt for every
  signature by copying every object of the document (`signing.verify.reverse_refs`).
- An object-stream bomb padded to 400 KB stayed within the object allowance that grows with
  the file's size and was parsed for 10 to 20 s before being refused: object streams may now
  inflate at most `object_streams.MAX_INFLATION` times, in total, and are refused as they
  are decoded (`signing.object_streams`).
(Work is counted here, never timed.)
"""

from __future__ import annotations

import io
import os

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.verify.errors import UnreadableDocument
from tests.signing.verify import forgeries, samples


def _padded_and_signed(pki, kilobytes: int) -> bytes:
    """A signed one-page document carrying `kilobytes` of incompressible bytes (an image, say),
    which raise its object allowance."""
    writer = IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf()))
    writer.root[N("/Relleno")] = writer.add_object(
        generic.StreamObject(stream_data=os.urandom(kilobytes * 1024)))
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return samples.sign(out.getvalue(), samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.mark.parametrize(("streams", "numbers"), [(4, 500_000), (60, 30_000)])
def test_an_object_stream_bomb_in_a_large_file_is_refused_as_it_inflates(
        verifier, pki, parsed, streams, numbers):
    """Four streams of a megabyte each, or sixty small ones (each under any per-stream floor):
    refused before their objects are parsed (it parsed ~480,000 objects, all the allowance)."""
    bomb = forgeries.object_stream_bomb(_padded_and_signed(pki, 400), streams=streams,
                                        numbers=numbers)
    assert len(bomb) >= 400 * 1024
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(bomb)
    assert (info.value.error, info.value.http_status) == ("document_too_complex", 422)
    assert "decompression bomb" in info.value.description
    assert len(parsed) < 100_000


def test_legitimate_object_streams_are_not_taken_for_bombs(verifier, pki):
    pdf = samples.sign(samples.long_pdf(300), samples.signer_for(pki.signer, pki),
                       stamper=samples.timestamper(pki))
    assert verifier.verify(pdf).conclusion.passed


def test_the_reverse_reference_map_is_pyhankos(pki, signed_with_field):
    """`reverse_refs` gives, for every revision, the paths pyHanko's own walk gives."""
    from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

    from signing.verify import reverse_refs

    pdf = samples.long_pdf(20)
    for field in ("Firma1", "Firma2"):
        pdf = samples.sign(pdf, samples.signer_for(pki.signer, pki), field=field)
    tagged = samples.sign(_tagged(samples.long_pdf(3)), samples.signer_for(pki.signer, pki))
    for document in (pdf, forgeries.shadow_hide_form(signed_with_field), tagged):
        reader = PdfFileReader(io.BytesIO(document))
        for revision in range(reader.xrefs.total_revisions):
            ours, theirs = HistoricalResolver(reader, revision), HistoricalResolver(reader, revision)
            reverse_refs.load_reverse_xref_cache(ours)
            pyhanko_walk(theirs)
            mine, expected = ours._indirect_object_access_cache, theirs._indirect_object_access_cache
            assert set(mine) == set(expected) and len(expected) > 5
            assert all(mine[ref] == paths for ref, paths in expected.items())


def _tagged(pdf: bytes) -> bytes:
    """`pdf` with a structure tree (its elements entered only from /StructTreeRoot /K)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0]
    root = writer.add_object(generic.DictionaryObject({N("/Type"): N("/StructTreeRoot")}))
    document = writer.add_object(generic.DictionaryObject(
        {N("/Type"): N("/StructElem"), N("/S"): N("/Document"), N("/P"): root}))
    paragraphs = [writer.add_object(generic.DictionaryObject(
        {N("/S"): N("/P"), N("/P"): document, N("/Pg"): page, N("/K"): generic.NumberObject(i)}))
        for i in range(3)]
    document.get_object()[N("/K")] = generic.ArrayObject(paragraphs)
    root.get_object()[N("/K")] = document
    root.get_object()[N("/ParentTree")] = generic.DictionaryObject({N("/Nums"): generic.ArrayObject(
        [generic.NumberObject(0), generic.ArrayObject(paragraphs)])})
    writer.root[N("/StructTreeRoot")] = root
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pyhanko_walk(resolver) -> None:
    from pyhanko.pdf_utils.reader import HistoricalResolver

    from signing.verify import reverse_refs

    original = vars(HistoricalResolver)["_load_reverse_xref_cache"]
    if original is reverse_refs.load_reverse_xref_cache:
        original = reverse_refs.PYHANKO_LOAD
    original(resolver)


def test_a_document_signed_many_times_is_not_copied_once_per_signature(verifier, pki,
                                                                        monkeypatch):
    """300 pages signed four times: pyHanko copied ("subsumed") ~94,000 objects and parts of
    objects, most of them to map the document once per signature; now ~23,000."""
    from pyhanko.pdf_utils.reader import HistoricalResolver

    pdf = samples.long_pdf(300)
    for field in ("Firma1", "Firma2", "Firma3", "Firma4"):
        pdf = samples.sign(pdf, samples.signer_for(pki.signer, pki),
                           stamper=samples.timestamper(pki), field=field)
    copies: list[int] = []
    subsume = HistoricalResolver._subsume_object

    def counting(self, obj):
        copies.append(1)
        return subsume(self, obj)

    monkeypatch.setattr(HistoricalResolver, "_subsume_object", counting)
    report = verifier.verify(pdf)
    assert [s.conclusion.passed for s in report.signatures] == [True] * 4
    assert len(copies) < 40_000


def test_the_padded_bomb_is_refused_by_the_api_and_the_command(client, verifier, pki, tmp_path):
    """POST /api/verify answers 422 document_too_complex; `cedula verify` exits unreadable."""
    from click.testing import CliRunner

    from signing.verify.cli import EXIT_UNREADABLE, verify_command
    from tests.signing.verify.test_cli import _Root

    bomb = forgeries.object_stream_bomb(_padded_and_signed(pki, 400))
    api = client.post("/api/verify?lang=en", data=bomb,
                      headers={"Content-Type": "application/pdf"})
    assert api.status_code == 422 and api.get_json()["error"] == "document_too_complex"
    path = tmp_path / "bomba.pdf"
    path.write_bytes(bomb)
    result = CliRunner().invoke(verify_command, ["--json", str(path)], obj=_Root(verifier))
    assert result.exit_code == EXIT_UNREADABLE, result.output
    assert any('"document_too_complex"' in line for line in result.output.splitlines())
