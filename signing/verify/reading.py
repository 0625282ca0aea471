"""Reading an uploaded file as a PDF before any signature is judged: size, header, declared
objects, the catalog, ambiguous cross-reference sections, encryption (`UnreadableDocument`
saying what is wrong). Runs in the caller's thread, before the verification's budget starts:
nothing here may grow faster than the file (`xref_sections`); streams decode within
`pdf_parsing.DECODE_LIMITS`."""

from __future__ import annotations

import logging

from pyhanko.pdf_utils.reader import PdfFileReader

from signing import pdf_parsing
from signing.verify import xref_sections
from signing.verify.errors import UnreadableDocument

log = logging.getLogger(__name__)

HEADER_WINDOW = 1024  # ISO 32000-1, 7.5.2 / Annex H: the header may follow some garbage


def read_pdf(data: bytes, *, max_bytes: int) -> PdfFileReader:
    """A strict pyHanko reader for `data`, or `UnreadableDocument` saying what is wrong."""
    if not data:
        raise UnreadableDocument("The file is empty.", error="empty_file")
    if len(data) > max_bytes:
        raise UnreadableDocument(f"The file has {len(data)} bytes; at most {max_bytes} are "
                                 "accepted.", error="file_too_large")
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise UnreadableDocument("The file is not a PDF document (it has no %PDF- header).",
                                 error="not_pdf")
    declared = xref_sections.too_many_objects(data)
    if declared is not None:
        raise UnreadableDocument(f"The PDF declares {declared} objects, more than a file of "
                                 f"{len(data)} bytes can hold.", error="damaged_pdf")
    try:
        reader = pdf_parsing.reader(data, strict=True)
        encrypted = reader.encrypted
        if not encrypted:
            reader.root  # noqa: B018 - resolve the catalog now: a damaged file fails here
        twice = xref_sections.listed_twice(reader)
    except pdf_parsing.TooManySections:
        raise UnreadableDocument(
            f"The PDF has more than {pdf_parsing.MAX_SECTIONS} revisions (incremental "
            "updates), far more than any document; it cannot be verified here. Ask the issuer "
            "for the original, or use the verification code printed on it.",
            error="document_too_complex") from None
    except Exception as exc:
        log.debug("unreadable PDF", exc_info=exc)
        raise UnreadableDocument("The PDF is damaged or incomplete and cannot be read "
                                 f"({type(exc).__name__}).", error="damaged_pdf") from None
    if twice is not None:
        raise UnreadableDocument(
            f"The PDF's cross-reference section of revision {twice[0] + 1} lists object "
            f"{twice[1]} twice; PDF readers disagree on which one counts, so what is shown "
            "cannot be known.", error="damaged_pdf")
    if encrypted:
        raise UnreadableDocument("The PDF is encrypted; signatures of encrypted files are not "
                                 "verified here. Ask the issuer for the unencrypted original.",
                                 error="encrypted_pdf")
    return reader
