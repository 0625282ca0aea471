"""A fast path for pyHanko's hexadecimal-string parser: a signature's /Contents in one pass.

A PDF signature's value is a hexadecimal string (ISO 32000-1, 7.3.4.3, 12.8.1), as long as
the signer reserved: pyHanko reads it one character at a time (`read_non_whitespace`, about
3 µs a digit here), so an upload within the size limit whose /Contents holds 19 MB of
digits took about a minute to parse, in a single object where no budget checkpoint can stop
it (`budget.count_parsed_objects`). This reads the common form (digits and white space up to
the closing `>`) in chunks with a regular expression and `binascii`, and leaves everything
else (comments, invalid characters, a string that never ends) to pyHanko's own parser, which
gives the same result or the same error it always did.
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE

CHUNK = 64 * 1024
_OTHER = re.compile(rb"[^0-9A-Fa-f \n\r\t\f\x00]")
_pyhanko_read = generic.read_hex_string_from_stream


def read_hex_string(stream: Any) -> Any:
    """pyHanko's `read_hex_string_from_stream`, `stream` at the opening `<`."""
    start = stream.tell()
    stream.read(1)
    chunks: list[bytes] = []
    consumed = 1
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        found = _OTHER.search(chunk)
        if found is None:
            chunks.append(chunk)
            consumed += len(chunk)
            continue
        if chunk[found.start():found.start() + 1] != b">":
            break
        chunks.append(chunk[:found.start()])
        stream.seek(start + consumed + found.start() + 1)
        digits = b"".join(chunks).translate(None, PDF_WHITESPACE)
        if len(digits) % 2:
            digits += b"0"
        return generic.pdf_string(binascii.unhexlify(digits))
    stream.seek(start)
    return _pyhanko_read(stream)


def install() -> None:
    """Make pyHanko's object parser use `read_hex_string` (idempotent)."""
    generic.read_hex_string_from_stream = read_hex_string
