"""Names written with `#` escapes, in a PDF a citizen signs (pdfatk11).

ISO 32000-2, 7.3.5: `/Actual#54ext` is the name /ActualText. The content-stream scan of
`signing.replacement_text` searched the raw bytes for `/ActualText` and `/Alt`, so a page
drawing "Importe: 9999 EUR" under `/Span <</Actual#54ext (Importe: 100 EUR)>> BDC` was
read "100 EUR" by poppler (which decodes the name), found clean and signed as it was. The
scan now matches every spelling (`signing.name_spellings`). The other checks of the
normalisation read pyHanko's parsed objects, whose names are decoded: escaped
/Java#53cript, /Open#41ction, /#41A and /Launc#68 are found and removed as plainly written.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.normalise import findings, normalise
from tests.signing.test_normalise import LIMIT, _reader, _text
from tests.signing.verify.test_pdfatk10_replacement_text import DRAWN, page

ESCAPED = {"actual_t": b"/Actual#54ext", "two": b"/Actual#54#65xt",
           "every_letter": b"/#41#63#74#75#61#6c#54#65#78#74", "upper_hex": b"/#41ctua#6CText",
           "alt": b"/A#6Ct", "alt_all": b"/#41#6c#74"}


def escaped(name: bytes) -> bytes:
    return page(b"/Span <<" + name + b" (Importe: 100 EUR)>> BDC " + DRAWN + b" EMC")


def test_poppler_reads_an_escaped_actual_text():
    text = _text(escaped(b"/Actual#54ext"))
    assert "100 EUR" in text and "9999" not in text


@pytest.mark.parametrize("name", ESCAPED.values(), ids=ESCAPED.keys())
def test_escaped_replacement_text_is_found_and_removed(name):
    pdf = escaped(name)
    assert findings(_reader(pdf)) == ["replacement_text"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("replacement_text",)
    assert findings(_reader(result.checked.data)) == []
    assert "Importe: 9999 EUR" in _text(result.checked.data)


@pytest.mark.parametrize("name", [b"/Actual#54exts", b"/A#6Cternate", b"/Actual#20Text"])
def test_other_names_spelled_alike_are_not(name):
    pdf = escaped(name)
    assert findings(_reader(pdf)) == []
    assert normalise(pdf, max_bytes=LIMIT).checked.data == pdf


# escaped spelling -> a name of the same length written in its place, then replaced in the
# bytes (the cross-reference offsets stay right)
SPELLINGS = {b"/Open#41ction": "/OpenQQQction", b"/Java#53cript": "/JavaQQQcript",
             b"/J#53": "/JQQQ", b"/#41A": "/QQQA", b"/Launc#68": "/LauncQQQ"}
_AS = {written: escaped for escaped, written in SPELLINGS.items()}


def _catalog_with(key: bytes, action: generic.DictionaryObject) -> bytes:
    """A one-page file whose catalog holds `action` under `key`, names written escaped."""
    writer = PdfFileWriter()
    writer.insert_page(generic.DictionaryObject({
        N("/Type"): N("/Page"), N("/MediaBox"): generic.ArrayObject(
            generic.NumberObject(n) for n in (0, 0, 595, 842))}))
    writer.root[N(SPELLINGS[key])] = action
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    for written, escaped in _AS.items():
        data = data.replace(written.encode(), escaped)
    return data


def _java() -> generic.DictionaryObject:
    return generic.DictionaryObject({N("/S"): N(SPELLINGS[b"/Java#53cript"]),
                                     N(SPELLINGS[b"/J#53"]): generic.TextStringObject("app.alert(1)")})


def _launch() -> generic.DictionaryObject:
    return generic.DictionaryObject({N("/O"): generic.DictionaryObject({
        N("/S"): N(SPELLINGS[b"/Launc#68"]), N("/F"): generic.TextStringObject("calc.exe")})})


ACTIVE = {"open_action": (b"/Open#41ction", _java, "open_action"),
          "additional_actions": (b"/#41A", _launch, "additional_actions")}


@pytest.mark.parametrize("name, action, key", ACTIVE.values(), ids=ACTIVE.keys())
def test_escaped_active_content_in_parsed_objects_is_found(name, action, key):
    pdf = _catalog_with(name, action())
    assert name in pdf
    assert key in findings(_reader(pdf))
    result = normalise(pdf, max_bytes=LIMIT)
    assert key in result.removed
    assert findings(_reader(result.checked.data)) == []
