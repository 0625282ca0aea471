"""The embedded fonts: metrics, pair kerning, glyph encoding and the PDF font objects.

Fonts are parsed once per process (`typeface(name)` is cached). Text is drawn with glyph IDs
through a Type 0 font with Identity-H encoding over a CIDFontType2 whose CIDs are the glyph IDs
(ISO 32000-1, 9.7.4 and 9.7.6), and a ToUnicode CMap (9.10.3) makes the text extractable.
"""

from __future__ import annotations

import io
import itertools
import zlib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from fontTools import ttLib
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import BasePdfFileWriter

FONTS = Path(__file__).with_name("fonts")
REGULAR = "NotoSans-Regular"
BOLD = "NotoSans-Bold"
# Tables a PDF reader needs from an embedded TrueType program (ISO 32000-1, 9.9).
_DROPPED_TABLES = ("GPOS", "GSUB", "GDEF", "STAT", "gasp")
_name = generic.NameObject


@dataclass(frozen=True)
class _PairClasses:
    coverage: frozenset[int]
    first: dict[int, int]
    second: dict[int, int]
    values: tuple[tuple[int, ...], ...]


@dataclass(eq=False)
class Typeface:
    """One font file: what layout needs (advances, kerning) and what the PDF embeds."""

    name: str
    units_per_em: int
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    stem_v: int
    cmap: dict[int, int]
    advances: list[int]
    program: bytes
    _pairs: list[dict[int, dict[int, int]] | _PairClasses] = field(repr=False)

    def unsupported(self, text: str) -> list[str]:
        """The characters of `text` this font has no glyph for, in order, each once."""
        seen: dict[str, None] = {}
        for char in text:
            if ord(char) not in self.cmap and char not in seen:
                seen[char] = None
        return list(seen)

    def glyphs(self, text: str) -> list[int]:
        return [self.cmap.get(ord(char), 0) for char in text]

    def width(self, text: str, size: float) -> float:
        """Advance width of `text` at `size` points, kerning included."""
        gids = self.glyphs(text)
        units = sum(self.advances[g] for g in gids)
        units += sum(self.kern(a, b) for a, b in itertools.pairwise(gids))
        return units * size / self.units_per_em

    @lru_cache(maxsize=8192)  # noqa: B019 - typefaces live as long as the process
    def kern(self, left: int, right: int) -> int:
        """Pair adjustment of the `kern` feature, in font units (OpenType GPOS lookup type 2)."""
        total = 0
        for subtable in self._pairs:
            if isinstance(subtable, dict):
                value = subtable.get(left, {}).get(right)
                if value is not None:
                    total += value
            elif left in subtable.coverage:
                row = subtable.values[subtable.first.get(left, 0)]
                total += row[subtable.second.get(right, 0)]
        return total

    def show(self, text: str) -> str:
        """A TJ operand drawing `text`: glyph IDs as 2-byte codes, kerning as adjustments."""
        gids = self.glyphs(text)
        parts: list[str] = []
        run: list[str] = []
        for i, gid in enumerate(gids):
            run.append(f"{gid:04x}")
            if i + 1 < len(gids):
                adjust = self.kern(gid, gids[i + 1])
                if adjust:
                    parts.append(f"<{''.join(run)}>")
                    parts.append(str(round(-adjust * 1000 / self.units_per_em)))
                    run = []
        parts.append(f"<{''.join(run)}>")
        return f"[{' '.join(parts)}]"


@cache
def typeface(name: str) -> Typeface:
    """The font `name` (REGULAR or BOLD), parsed once per process."""
    font = ttLib.TTFont(FONTS / f"{name}.ttf", lazy=False)
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    order = font.getGlyphOrder()
    metrics = font["hmtx"].metrics
    cmap = {code: font.getGlyphID(glyph) for code, glyph in font.getBestCmap().items()}
    pairs = _kerning(font)
    for table in _DROPPED_TABLES:
        if table in font:
            del font[table]
    out = io.BytesIO()
    font.save(out)
    return Typeface(
        name=name,
        units_per_em=head.unitsPerEm,
        ascent=hhea.ascent,
        descent=hhea.descent,
        cap_height=getattr(os2, "sCapHeight", 0) or hhea.ascent,
        bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
        stem_v=140 if os2.usWeightClass >= 600 else 80,
        cmap=cmap,
        advances=[metrics[glyph][0] for glyph in order],
        program=out.getvalue(),
        _pairs=pairs,
    )


def _kerning(font: ttLib.TTFont) -> list[dict[int, dict[int, int]] | _PairClasses]:
    if "GPOS" not in font:
        return []
    gpos = font["GPOS"].table
    indices: set[int] = set()
    for record in gpos.FeatureList.FeatureRecord:
        if record.FeatureTag == "kern":
            indices.update(record.Feature.LookupListIndex)
    gid = font.getGlyphID
    subtables: list[dict[int, dict[int, int]] | _PairClasses] = []
    for index in sorted(indices):
        lookup = gpos.LookupList.Lookup[index]
        for subtable in lookup.SubTable:
            if lookup.LookupType == 9:
                subtable = subtable.ExtSubTable
            if getattr(subtable, "LookupType", 2) != 2:
                continue
            if subtable.Format == 1:
                pairs: dict[int, dict[int, int]] = {}
                for glyph, pair_set in zip(subtable.Coverage.glyphs, subtable.PairSet,
                                           strict=True):
                    row = {gid(rec.SecondGlyph): _x_advance(rec.Value1)
                           for rec in pair_set.PairValueRecord}
                    pairs[gid(glyph)] = {k: v for k, v in row.items() if v}
                subtables.append(pairs)
            elif subtable.Format == 2:
                values = tuple(tuple(_x_advance(c2.Value1) for c2 in c1.Class2Record)
                               for c1 in subtable.Class1Record)
                subtables.append(_PairClasses(
                    coverage=frozenset(gid(g) for g in subtable.Coverage.glyphs),
                    first={gid(g): c for g, c in subtable.ClassDef1.classDefs.items()},
                    second={gid(g): c for g, c in subtable.ClassDef2.classDefs.items()},
                    values=values,
                ))
    return subtables


def _x_advance(value: Any) -> int:
    if value is None:
        return 0
    return getattr(value, "XAdvance", 0) or 0


@cache
def _program_stream_data(name: str) -> tuple[bytes, int]:
    program = typeface(name).program
    return zlib.compress(program, 9), len(program)


@cache
def _to_unicode(name: str) -> bytes:
    """A ToUnicode CMap from glyph IDs to the characters they draw (ISO 32000-1, 9.10.3)."""
    face = typeface(name)
    reverse: dict[int, int] = {}
    for code, gid in sorted(face.cmap.items()):
        reverse.setdefault(gid, code)
    entries = [f"<{gid:04x}> <{chr(code).encode('utf-16-be').hex()}>"
               for gid, code in sorted(reverse.items())]
    chunks = []
    for start in range(0, len(entries), 100):
        block = entries[start:start + 100]
        chunks.append(f"{len(block)} beginbfchar\n" + "\n".join(block) + "\nendbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
            + "\n".join(chunks)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
            ).encode("ascii")


def embed(writer: BasePdfFileWriter, name: str, used: set[int]) -> generic.IndirectObject:
    """Add the Type 0 font `name` to `writer`, with widths for the glyph IDs in `used`."""
    face = typeface(name)
    scale = 1000 / face.units_per_em
    compressed, length = _program_stream_data(name)
    program = generic.StreamObject(
        {_name("/Filter"): _name("/FlateDecode"), _name("/Length1"): generic.NumberObject(length)},
        encoded_data=compressed,
    )
    descriptor = generic.DictionaryObject({
        _name("/Type"): _name("/FontDescriptor"),
        _name("/FontName"): _name(f"/{name}"),
        _name("/Flags"): generic.NumberObject(32),
        _name("/FontBBox"): generic.ArrayObject(
            generic.NumberObject(round(v * scale)) for v in face.bbox),
        _name("/ItalicAngle"): generic.NumberObject(0),
        _name("/Ascent"): generic.NumberObject(round(face.ascent * scale)),
        _name("/Descent"): generic.NumberObject(round(face.descent * scale)),
        _name("/CapHeight"): generic.NumberObject(round(face.cap_height * scale)),
        _name("/StemV"): generic.NumberObject(face.stem_v),
        _name("/FontFile2"): writer.add_object(program),
    })
    to_unicode = generic.StreamObject(stream_data=_to_unicode(name))
    to_unicode.compress()
    cid_font = generic.DictionaryObject({
        _name("/Type"): _name("/Font"),
        _name("/Subtype"): _name("/CIDFontType2"),
        _name("/BaseFont"): _name(f"/{name}"),
        _name("/CIDSystemInfo"): generic.DictionaryObject({
            _name("/Registry"): generic.pdf_string("Adobe"),
            _name("/Ordering"): generic.pdf_string("Identity"),
            _name("/Supplement"): generic.NumberObject(0),
        }),
        _name("/FontDescriptor"): writer.add_object(descriptor),
        _name("/CIDToGIDMap"): _name("/Identity"),
        _name("/W"): _widths(face, sorted(used | {0}), scale),
    })
    return writer.add_object(generic.DictionaryObject({
        _name("/Type"): _name("/Font"),
        _name("/Subtype"): _name("/Type0"),
        _name("/BaseFont"): _name(f"/{name}"),
        _name("/Encoding"): _name("/Identity-H"),
        _name("/DescendantFonts"): generic.ArrayObject([writer.add_object(cid_font)]),
        _name("/ToUnicode"): writer.add_object(to_unicode),
    }))


def _widths(face: Typeface, gids: list[int], scale: float) -> generic.ArrayObject:
    """The /W array (ISO 32000-1, 9.7.4.3): runs of consecutive CIDs with their widths."""
    result = generic.ArrayObject()
    run: list[int] = []
    for gid in gids:
        if run and gid != run[-1] + 1:
            result.extend(_width_run(face, run, scale))
            run = []
        run.append(gid)
    if run:
        result.extend(_width_run(face, run, scale))
    return result


def _width_run(face: Typeface, run: list[int], scale: float) -> list[generic.PdfObject]:
    return [generic.NumberObject(run[0]),
            generic.ArrayObject(generic.NumberObject(round(face.advances[g] * scale))
                                for g in run)]
