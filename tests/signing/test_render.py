"""Rendering: a tagged, accessible PDF with the data, the CSV and a working QR code per page.

Checked with independent tools: poppler (pdfinfo, pdffonts, pdftotext, pdftoppm), zxing-cpp
for the QR codes, and pyHanko's reader for the structure tree.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from signing import csv
from signing.data_problems import InvalidTemplateData
from signing.errors import InvalidCode, RenderError, UnknownTemplate
from signing.render import render
from tests.signing.samples import sample
from tests.support.parts import missing, require_executable

ISSUED = datetime(2025, 5, 3, 10, 32, tzinfo=timezone(timedelta(hours=2)))
AGENCY = {"residence": "Ayuntamiento de Villanueva del Río", "birth": "Registro Civil de Cádiz"}
WORDING = {"es": "Verifique la autenticidad de este documento en",
           "en": "Check that this document is authentic at"}


def _render(name, language, data=None, **kwargs):
    code = kwargs.pop("code", None) or csv.generate()
    arguments = {
        "language": language, "agency_name": AGENCY[name], "issued_at": ISSUED, "csv": code,
        "verify_url": f"https://cedula.example/verify/{code}",
        "citizen_name": "María José Núñez Peña", "place": "Cádiz", **kwargs,
    }
    return render(name, sample(name, holder=True) if data is None else data, **arguments), code


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """Each template in each language, plus a long residence certificate, rendered once."""
    folder = tmp_path_factory.mktemp("documents")
    long = sample("residence", holder=True)
    long["household"] = [{"full_name": f"Persona número {i} de la Calle Mayor",
                          "relationship": "other_relative", "date_of_birth": "2001-02-03"}
                         for i in range(30)]
    cases = {(n, lang): None for n in ("residence", "birth") for lang in ("es", "en")}
    cases[("residence", "long")] = long
    rendered = {}
    for (name, label), data in cases.items():
        language = "es" if label == "long" else label
        document, code = _render(name, language, data)
        path = folder / f"{name}-{label}.pdf"
        path.write_bytes(document.pdf)
        rendered[(name, label)] = (document, code, path)
    return rendered


def _tool(*args: str) -> str:
    require_executable(args[0], "apt-get install poppler-utils")
    return subprocess.run(args, capture_output=True, check=True, text=True, timeout=300).stdout


def _page_text(path, number):
    return _tool("pdftotext", "-f", str(number), "-l", str(number), "-layout", str(path), "-")


def _all_cases():
    return [(n, lang) for n in ("residence", "birth") for lang in ("es", "en")] + [
        ("residence", "long")]


@pytest.mark.parametrize("case", _all_cases())
def test_pdfinfo_sees_a_tagged_pdf_with_title_and_page_count(documents, case):
    document, _code, path = documents[case]
    info = _tool("pdfinfo", str(path))
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(rf"^Pages:\s+{document.pages}$", info, re.M)
    assert re.search(rf"^Title:\s+{re.escape(document.title)}$", info, re.M)
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)$", info, re.M)
    if case[1] == "long":
        assert document.pages > 1
    else:
        assert document.pages == 1


def test_fonts_are_embedded_with_unicode_maps(documents):
    _document, _code, path = documents[("birth", "es")]
    rows = _tool("pdffonts", str(path)).splitlines()[2:]
    assert len(rows) == 2
    for row in rows:
        name, _kind, _encoding, _type, emb, _sub, uni = row.split()[:7]
        assert name.startswith("NotoSans-")
        assert (emb, uni) == ("yes", "yes"), row


@pytest.mark.parametrize("case", _all_cases())
def test_every_page_shows_the_csv_and_how_to_verify(documents, case):
    document, code, path = documents[case]
    language = "es" if case[1] == "long" else case[1]
    for number in range(1, document.pages + 1):
        page = " ".join(_page_text(path, number).split())
        assert code in page
        assert WORDING[language] in page
        assert f"https://cedula.example/verify/{code}" in page
        label = "Página" if language == "es" else "Page"
        assert f"{label} {number} {'de' if language == 'es' else 'of'} {document.pages}" in page


def test_the_text_has_the_agency_the_data_and_the_language(documents):
    _document, _code, path = documents[("residence", "es")]
    text = " ".join(_tool("pdftotext", str(path), "-").split())
    for expected in ("Ayuntamiento de Villanueva del Río", "Certificado de residencia",
                     "María José Núñez Peña", "Documento nacional de identidad 12345678Z",
                     "Calle de la Luna 17, 3.º B", "1 de marzo de 2019", "Íñigo Ortega Núñez",
                     "Hijo o hija", "en Cádiz, el 3 de mayo de 2025, 10:32 (GMT+02:00)"):
        assert expected in text, expected
    _document, _code, path = documents[("birth", "en")]
    text = " ".join(_tool("pdftotext", str(path), "-").split())
    for expected in ("Registro Civil de Cádiz", "Birth certificate", "Given names Íñigo",
                     "Sex Male", "Date of birth July 9, 2015", "Mother María José Núñez Peña",
                     "Entry number 2015-1375", "Marginal notes", "«Núñez»",
                     "issued in Cádiz on May 3, 2025, 10:32 AM (GMT+02:00)"):
        assert expected in text, expected


def _qr_codes(path, number):
    try:
        import zxingcpp
    except ImportError:
        missing("zxing-cpp is not installed (pip install -e '.[test]')")
    pgm = subprocess.run(["pdftoppm", "-r", "150", "-gray", "-f", str(number), "-l",
                          str(number), str(path)], capture_output=True, check=True, timeout=300).stdout
    magic, size, _depth, pixels = pgm.split(b"\n", 3)
    assert magic == b"P5"
    width, height = map(int, size.split())
    image = memoryview(pixels).cast("B", (height, width))
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("case", [("birth", "en"), ("residence", "long")])
def test_the_qr_code_on_every_page_decodes_to_the_verification_url(documents, case):
    require_executable("pdftoppm", "apt-get install poppler-utils")
    document, code, path = documents[case]
    for number in range(1, document.pages + 1):
        assert _qr_codes(path, number) == [f"https://cedula.example/verify/{code}"]


def _structure(path):
    reader = PdfFileReader(path.open("rb"))
    return reader, reader.root["/StructTreeRoot"]


def _elements(element):
    yield element
    kids = element["/K"]
    for i in range(len(kids)):
        kid = kids[i]
        if isinstance(kid, generic.DictionaryObject) and "/S" in kid:
            yield from _elements(kid)


def test_the_structure_tree_describes_the_document(documents):
    _document, _code, path = documents[("residence", "en")]
    reader, tree = _structure(path)
    root = reader.root
    assert root["/MarkInfo"]["/Marked"] == generic.BooleanObject(True)
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == generic.BooleanObject(True)
    xmp = root["/Metadata"].data.decode("utf-8")
    assert re.search(r"<dc:title[^>]*><rdf:Alt><rdf:li xml:lang=\"x-default\">"
                     r"Certificate of residence</rdf:li>", xmp)
    document = tree["/K"][0]
    assert document["/S"] == "/Document"
    roles = [e["/S"] for e in _elements(document)]
    assert roles.count("/H1") == 1
    assert roles.index("/H1") < roles.index("/H2") < roles.index("/Table")
    for role in ("/P", "/TR", "/TH", "/TD", "/Figure", "/Sect"):
        assert role in roles
    figures = [e for e in _elements(document) if e["/S"] == "/Figure"]
    assert len(figures) == 1
    assert figures[0]["/Alt"] == (
        "QR code with the address where this document can be checked: "
        f"https://cedula.example/verify/{_code}")
    headers = [e for e in _elements(document) if e["/S"] == "/TH"]
    assert {h["/A"]["/Scope"] for h in headers} == {"/Row", "/Column"}


@pytest.mark.parametrize("case", [("birth", "es"), ("residence", "long")])
def test_all_page_content_is_tagged_or_an_artifact(documents, case):
    document, _code, path = documents[case]
    reader, tree = _structure(path)
    parents = tree["/ParentTree"]["/Nums"]
    by_page = {int(parents[i]): parents[i + 1] for i in range(0, len(parents), 2)}
    for index in range(document.pages):
        page = reader.root["/Pages"]["/Kids"][index]
        stream = page["/Contents"].data.decode("latin-1")
        depth = 0
        mcids = []
        for token in re.finditer(r"/(\w+) <<([^>]*)>> BDC|EMC|\bBT\b|\bre\b|\bS\n", stream):
            if token.group(0).endswith("BDC"):
                depth += 1
                found = re.search(r"/MCID (\d+)", token.group(2))
                if found:
                    mcids.append(int(found.group(1)))
                else:
                    assert token.group(1) == "Artifact"
            elif token.group(0) == "EMC":
                depth -= 1
            else:
                assert depth > 0, f"unmarked content on page {index + 1}"
        assert mcids == list(range(len(mcids)))
        owners = by_page[page["/StructParents"]]
        assert len(owners) == len(mcids)
        for mcid in mcids:
            assert owners[mcid]["/S"] in {"/P", "/H1", "/H2", "/TH", "/TD", "/Figure",
                                           "/Lbl", "/LBody"}


def test_the_signature_box_is_free_on_the_last_page(documents):
    document, _code, path = documents[("residence", "long")]
    assert document.signature_page == document.pages - 1
    x1, y1, x2, y2 = document.signature_box
    assert 0 < x1 < x2 <= 595.276 and 0 < y1 < y2 <= 841.89
    assert (x2 - x1, y2 - y1) == (220.0, 60.0)
    number = str(document.pages)
    words = _tool("pdftotext", "-bbox", "-f", number, "-l", number, str(path), "-")
    for match in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                             r'yMax="([\d.]+)">([^<]*)<', words):
        left, top, right, bottom = (float(v) for v in match.groups()[:4])
        top, bottom = 841.89 - bottom, 841.89 - top
        overlaps = left < x2 and right > x1 and top < y2 and bottom > y1
        assert not overlaps, match.group(5)


def test_a_long_table_repeats_its_header_as_an_artifact(documents):
    _document, _code, path = documents[("residence", "long")]
    assert "Relación con la persona" in _page_text(path, 2)
    _reader, tree = _structure(path)
    column_headers = [e for e in _elements(tree["/K"][0])
                      if e["/S"] == "/TH" and e["/A"]["/Scope"] == "/Column"]
    assert len(column_headers) == 3


def test_letter_paper():
    document, _code = _render("birth", "en", paper="Letter")
    reader = PdfFileReader(__import__("io").BytesIO(document.pdf))
    assert list(reader.root["/Pages"]["/Kids"][0]["/MediaBox"]) == [0, 0, 612, 792]


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"paper": "A3"}, RenderError, "paper must be one of A4, Letter, not 'A3'"),
    ({"issued_at": datetime(2025, 5, 3, 10, 32)}, RenderError,
     "the issue time must carry its time zone (an aware datetime)"),
    ({"csv": "ABCD-EFGH"}, InvalidCode,
     "the verification code has 20 characters, but 8 were given"),
    ({"verify_url": "javascript:alert(1)"}, RenderError,
     "verify_url must be an absolute http(s) address, not 'javascript:alert(1)'"),
    ({"agency_name": "  "}, RenderError, "agency_name must not be empty"),
    ({"citizen_name": "Дмитрий"}, RenderError,
     "citizen_name contains characters the document cannot print: Д м и т р й"),
])
def test_unusable_arguments_are_refused(kwargs, error, message):
    with pytest.raises(error) as caught:
        _render("birth", "es", **kwargs)
    assert str(caught.value) == message


def test_an_unknown_language_is_refused():
    with pytest.raises(RenderError) as caught:
        _render("birth", "fr")
    assert str(caught.value) == "documents are printed in es or en, not 'fr'"


def test_bad_data_and_unknown_templates_are_refused():
    data = sample("birth", holder=True)
    del data["sex"]
    with pytest.raises(InvalidTemplateData) as caught:
        _render("birth", "es", data)
    assert caught.value.fields("en")[0]["path"] == "$.sex"
    with pytest.raises(UnknownTemplate):
        render("marriage", {}, language="es", agency_name="A", issued_at=ISSUED,
               csv=csv.generate(), verify_url="https://x.example/verify/1",
               citizen_name="B")
