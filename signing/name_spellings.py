"""Every way a PDF name can be written, for the few scans that read raw bytes (pdfatk11).

ISO 32000-2, 7.3.5: any character of a name other than its leading solidus may be written
as `#` and two hexadecimal digits, so `/ActualText`, `/Actual#54ext` and `/#41ctual#54ext`
are one name; pyHanko's parser decodes them (a parsed dictionary's keys are the names
themselves), a byte search for `b"/ActualText"` finds only the first spelling. A scan over
raw bytes (`signing.replacement_text` on content streams, `signing.verify.xref_sections`
on a file's trailers and cross-reference streams) builds its pattern here.
"""

from __future__ import annotations

import re


def _hex_digit(digit: str) -> bytes:
    return re.escape(digit.encode()) if not digit.isalpha() \
        else b"[" + digit.upper().encode() + digit.lower().encode() + b"]"


def spelled(name: bytes) -> bytes:
    """A regular expression (bytes) matching `name` (without its solidus) in any spelling:
    each character as itself or as `#xx`, in either case of hexadecimal digit."""
    parts = []
    for value in name:
        digits = f"{value:02x}"
        parts.append(b"(?:" + re.escape(bytes([value])) + b"|#" + _hex_digit(digits[0])
                     + _hex_digit(digits[1]) + b")")
    return b"".join(parts)
