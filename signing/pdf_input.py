"""PDFs given to the service to sign: size, type sniffing, encrypted or damaged files.

Every refusal is an `InvalidPdf` with a message key (signing's catalogs, `signing/translations`) and the HTTP
status a view should answer with: 413 for too large, 422 for a file that is not a usable PDF (or
one too costly to read: `too_complex`), 503 with `retry_after` when too many files are being
read at once (`busy`).

Uploaded files are read under `parsing()`: a time budget checked as objects are parsed, the
decode limits and fast hexadecimal strings of `signing.pdf_parsing`, and at most
`SIGNING_CONCURRENT` parses at once in the process.
"""

from __future__ import annotations

import decimal
import hashlib
import io
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType

from babel.numbers import format_decimal
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfDecodeLimitError, PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import read_certification_data

from infra.web.error_shape import CodedError
from signing import page_tree, pdf_parsing
from signing.errors import SigningError
from signing.i18n import text
from signing.verify.xref_sections import too_many_objects

HEADER_WINDOW = 1024  # readers accept the %PDF- header within the first 1024 bytes
BUSY_RETRY_SECONDS = 5
# Machine-readable codes of refusals other than `invalid_document`.
ERRORS = MappingProxyType({"too_large": "document_too_large",
                           "too_complex": "document_too_complex",
                           "busy": "temporarily_unavailable"})


class InvalidPdf(SigningError, CodedError):
    """A file that cannot be signed, with the reason as a message key (`description` in English)."""

    def __init__(self, key: str, *, status: int = 422, sizes: Mapping[str, int] | None = None,
                 **params: str) -> None:
        self.key = key
        self.params = params
        self.sizes = dict(sizes or {})  # numbers of bytes, written in the message's language
        self.retry_after = BUSY_RETRY_SECONDS if status == 503 else None
        super().__init__(self.message("en"), status=status,
                         error=ERRORS.get(key, "invalid_document"))

    def message(self, language: str) -> str:
        sizes = {name: human_size(size, language) for name, size in self.sizes.items()}
        return text(f"documents.input.{self.key}", language, **self.params, **sizes)


@dataclass(frozen=True)
class CheckedPdf:
    data: bytes
    sha256: str
    pages: int
    signatures: int
    notes: list[str] = field(default_factory=list)


# What pyHanko raises on a damaged or hostile file while reading or rewriting it. zlib.error:
# a damaged Flate stream, which pyHanko does not wrap (its content read by
# `signing.replacement_text` escaped the normalisation as an uncaught exception, review17).
READ_ERRORS = (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
               RecursionError, OverflowError, AssertionError, zlib.error)


def broken(exc: BaseException) -> InvalidPdf:
    """The refusal for a file pyHanko could not read or rewrite, saying what went wrong (or
    that reading it cost too much, even if pyHanko wrapped the budget's exception)."""
    budget = pdf_parsing.current()
    if isinstance(exc, pdf_parsing.BudgetExceeded | PdfDecodeLimitError) or (
            budget is not None and budget.exceeded):
        return InvalidPdf("too_complex")
    detail = str(exc).strip() or type(exc).__name__
    return InvalidPdf("broken", detail=detail[:200])


def human_size(size: int, language: str = "en") -> str:
    """`1.5 MB` / `1,5 MB`: the number written as `language` writes it (CLDR), one decimal at most."""
    if size >= 1024 * 1024:
        return f"{format_decimal(round(size / (1024 * 1024), 1), locale=language)} MB"
    if size >= 1024:
        return f"{format_decimal(round(size / 1024), locale=language)} KB"
    return f"{format_decimal(size, locale=language)} B"


_SLOTS = pdf_parsing.Slots(pdf_parsing.SIGNING_CONCURRENT,
                           lambda: InvalidPdf("busy", status=503))


@contextmanager
def parsing(size: int) -> Iterator[pdf_parsing.ParseBudget]:
    """Read an uploaded file of `size` bytes within a budget of `pdf_parsing.SIGNING_SECONDS`
    and `pdf_parsing.object_allowance(size)` objects, holding one of `SIGNING_CONCURRENT`
    slots (`InvalidPdf("busy", status=503)` after waiting for one). A parse past its time
    raises `InvalidPdf("too_complex")` at its next checkpoint, and one past its objects at
    once. Nested uses share the outer budget and slot."""
    outer = pdf_parsing.current()
    if outer is not None:
        yield outer
        return
    pdf_parsing.install()
    _SLOTS.take()
    budget = pdf_parsing.ParseBudget(pdf_parsing.SIGNING_SECONDS,
                                     max_objects=pdf_parsing.object_allowance(size))
    token = pdf_parsing.activate(budget)
    try:
        yield budget
    except pdf_parsing.BudgetExceeded:
        raise InvalidPdf("too_complex") from None
    finally:
        pdf_parsing.deactivate(token)
        _SLOTS.give_back()
    if budget.exceeded:  # pyHanko swallowed the exception somewhere on the way
        raise InvalidPdf("too_complex")


def check_size(size: int, *, max_bytes: int) -> None:
    if size > max_bytes:
        raise InvalidPdf("too_large", status=413, sizes={"size": size, "limit": max_bytes})


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
    with parsing(len(data)):
        return _check_readable(data)


TOO_MANY_DIGITS = "a number with too many digits"


def _check_rewritable(root: generic.DictionaryObject, pages: list[generic.DictionaryObject]) -> None:
    """Refuse a file whose objects a signature rewrites (the catalog, its form, the pages that
    get a widget) hold a number pyHanko cannot write back: it writes a real by quantizing it,
    which fails past 28 digits (`1000000000000000000000000000000.0`). Found here, the file is
    refused as damaged before anyone is asked to sign it; found while signing, after the
    citizen's passkey, it was a 500 (pdfatk15's note, lead)."""
    sink = io.BytesIO()
    try:
        for written in (root, root.get("/AcroForm"), *pages):
            if isinstance(written, generic.DictionaryObject):
                written.write_to_stream(sink)
                sink.seek(0)
                sink.truncate()
    except decimal.DecimalException:
        raise InvalidPdf("broken", detail=TOO_MANY_DIGITS) from None


def _check_readable(data: bytes) -> CheckedPdf:
    try:
        reader = pdf_parsing.reader(data, strict=False)
        if reader.encrypted:
            raise InvalidPdf("encrypted")
        surveyed = page_tree.survey(reader.root)
        pages = surveyed.pages  # not the top /Count: it may lie
        _check_rewritable(reader.root, [entry.node for entry in surveyed.nodes if entry.page])
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
