"""PDFs given to the service to sign: size, type sniffing, encrypted or damaged files.

Every refusal is an `InvalidPdf` with a message key (signing's catalogs, `signing/translations`) and the HTTP
status a view should answer with: 413 for too large, 422 for a file that is not a usable PDF.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import read_certification_data

from infra.web.error_shape import CodedError
from signing.errors import SigningError
from signing.i18n import text
from signing.verify.xref_sections import too_many_objects

HEADER_WINDOW = 1024  # readers accept the %PDF- header within the first 1024 bytes


class InvalidPdf(SigningError, CodedError):
    """A file that cannot be signed, with the reason as a message key (`description` in English)."""

    def __init__(self, key: str, *, status: int = 422, **params: str) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"), status=status,
                         error="document_too_large" if status == 413 else "invalid_document")

    def message(self, language: str) -> str:
        return text(f"documents.input.{self.key}", language, **self.params)


@dataclass(frozen=True)
class CheckedPdf:
    data: bytes
    sha256: str
    pages: int
    signatures: int
    notes: list[str] = field(default_factory=list)


# What pyHanko raises on a damaged or hostile file while reading or rewriting it.
READ_ERRORS = (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
               RecursionError, OverflowError, AssertionError)


def broken(exc: BaseException) -> InvalidPdf:
    """The refusal for a file pyHanko could not read or rewrite, saying what went wrong."""
    detail = str(exc).strip() or type(exc).__name__
    return InvalidPdf("broken", detail=detail[:200])


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def check_size(size: int, *, max_bytes: int) -> None:
    if size > max_bytes:
        raise InvalidPdf("too_large", status=413, size=human_size(size), limit=human_size(max_bytes))


def _locking_signature(reader: PdfFileReader) -> str | None:
    """The name of a signature of `reader` that forbids any later change (DocMDP P=1), e.g. an
    approval signature whose field /Lock says /P 1 (ISO 32000-2, 12.7.5.5, 12.8.2.2.1): a
    signature added after it breaks it. `read_certification_data` sees only certifications,
    and pyHanko's signer checks nothing more. A lock that cannot be read counts as one."""
    for embedded in reader.embedded_regular_signatures:
        try:
            level = embedded.docmdp_level
        except (SignatureValidationError, *READ_ERRORS):
            return str(embedded.field_name)
        if level == MDPPerm.NO_CHANGES:
            return str(embedded.field_name)
    return None


def check_pdf(data: bytes, *, max_bytes: int) -> CheckedPdf:
    """`data` if it is a readable, unencrypted PDF within the size limit, else `InvalidPdf`."""
    if not isinstance(data, bytes | bytearray):
        raise InvalidPdf("not_pdf")
    data = bytes(data)
    check_size(len(data), max_bytes=max_bytes)
    if not data:
        raise InvalidPdf("empty")
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise InvalidPdf("not_pdf")
    declared = too_many_objects(data)
    if declared is not None:  # the reader would build every entry first (xref_sections)
        raise InvalidPdf("broken", detail=f"the file declares {declared} objects, more than "
                                          f"its {len(data)} bytes can hold")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise InvalidPdf("encrypted")
        pages = int(reader.root["/Pages"]["/Count"])
        signatures = len(reader.embedded_signatures)
        certification = read_certification_data(reader)
        locking = _locking_signature(reader)
    except InvalidPdf:
        raise
    except READ_ERRORS as exc:
        raise broken(exc) from None
    if pages < 1:
        raise InvalidPdf("no_pages")
    if certification is not None and certification.permission == MDPPerm.NO_CHANGES:
        raise InvalidPdf("locked")
    if locking is not None:
        raise InvalidPdf("locked_by_signature", field=locking)
    return CheckedPdf(data=data, sha256=hashlib.sha256(data).hexdigest(), pages=pages,
                      signatures=signatures)
