"""The raw bytes around a signature, checked before any coverage verdict is trusted.

ISO 32000-1, 12.8.1 and ETSI EN 319 142-1, 5.1: the signature's /ByteRange covers the whole
file except the /Contents value, which is a hexadecimal string holding the CMS. pyHanko's
coverage test (`EmbeddedPdfSignature.evaluate_signature_coverage`) derives the size of that
gap from the *decoded* /Contents (twice its length plus the brackets), so a /Contents written
as a literal string makes the gap look larger than it is, and bytes appended after the signed
revision are counted as part of "the entire file" (signature wrapping). This module reads the
file itself:

- the byte range is [0, a, b, c] with 0 < a < b and b + c within the file;
- the gap data[a:b] is exactly one hexadecimal string `<...>` (hex digits only) whose decoding
  is the CMS the reader parsed, followed by nothing but zero padding (ISO 32000-2, 12.8.1: the
  space reserved for the DER-encoded CMS is padded with zeros); the parser ignores what follows
  the CMS's own length, so without this a second signature, or any data, could ride unsigned
  and unreported in the gap (another reader may take it for the signature);
- the signed range ends at the %%EOF marker (and optional end-of-line) of a revision;
- everything after it is a sequence of complete revisions, judged by the modification analysis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from asn1crypto import parser

_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")
_EOF_END = re.compile(rb"%%EOF(\r\n|\r|\n)?\Z")


@dataclass(frozen=True)
class RawCoverage:
    """What the raw bytes say about one signature's coverage."""

    ok: bool
    entire_file: bool = False
    signed_end: int = 0
    problem: str | None = None


def check(data: bytes, byte_range: list[int] | tuple[int, ...], contents: bytes) -> RawCoverage:
    """Check the byte range of one signature against the file's bytes.

    `contents`: the /Contents value as the PDF parser decoded it (the CMS, zero-padded).
    """
    if len(byte_range) != 4 or any(not isinstance(v, int) or v < 0 for v in byte_range):
        return RawCoverage(False, problem="the byte range is not four non-negative integers")
    start, first, second, length = byte_range
    if start != 0:
        return RawCoverage(False, problem="the byte range does not start at the first byte")
    if not 0 < first < second or second + length > len(data):
        return RawCoverage(False, problem="the byte range is out of order or beyond the file")
    gap = data[first:second]
    match = _HEX.fullmatch(gap)
    if match is None:
        return RawCoverage(False, problem="the unsigned gap is not exactly one hexadecimal "
                                          "string (/Contents must be written as <...>)")
    digits = match.group(1)
    if len(digits) % 2 or bytes.fromhex(digits.decode("ascii")) != bytes(contents):
        return RawCoverage(False, problem="the hexadecimal string in the gap is not the "
                                          "signature value the reader parsed")
    if _after_the_cms(bytes(contents)).strip(b"\x00"):
        return RawCoverage(False, problem="the signature value is followed by other data in "
                                          "the gap (only zero padding may follow the CMS)")
    end = second + length
    if _EOF_END.search(data, max(0, end - 7), end) is None:
        return RawCoverage(False, problem="the signed bytes do not end at the %%EOF of a "
                                          "revision")
    return RawCoverage(True, entire_file=end == len(data), signed_end=end)


def _after_the_cms(contents: bytes) -> bytes:
    """What follows the first BER/DER value of `contents` (all of it if none can be read)."""
    try:
        _, _, _, header, body, trailer = parser.parse(contents)
    except (ValueError, TypeError):
        return contents
    return contents[len(header) + len(body) + len(trailer):]
