"""Bounds on parsing an untrusted PDF, for the verifier and the signing side alike.

pyHanko parses in pure Python and lazily, so the work a file causes is not bounded by its
size: a few kilobytes of compressed object streams hold millions of objects (~20 µs each), a
hexadecimal /Contents of megabytes is read one digit at a time, and a Flate stream of a few
hundred kilobytes decodes to hundreds of megabytes. Every reader of an uploaded file is made
with `reader` (tighter decode limits than pyHanko's defaults, `DECODE_LIMITS`) and parses
under a `ParseBudget`:

- `count_parsed_objects` makes pyHanko's object parser count each object against the budget
  active in this context (`activate`), checking its time every `OBJECTS_PER_CHECK` objects;
- the budget allows a file as many objects as its size can reasonably account for
  (`object_allowance`): a small file that expands into millions of objects is refused at
  once, not after holding one of the few parse slots for the whole time budget;
- `object_streams.install` reads each object stream's header once (pyHanko read it again for
  every object taken out of the stream: quadratic), counting its entries as objects;
- `hex_strings.install` reads hexadecimal strings in one pass;
- `cap_sections` makes the reader stop after `MAX_SECTIONS` cross-reference sections: it
  follows every section's /Prev when the file is opened, before any budget or slot applies,
  and an empty update takes 60 bytes and about 3 ms to read (a 20 MB upload of them took
  minutes);
- `Slots` bound how many parses run at once in this process.

The verifier (`signing.verify.budget`) builds its own budget on `ParseBudget`; the signing side
(`signing.pdf_input.parsing`) uses one with `SIGNING_SECONDS`.
"""

from __future__ import annotations

import contextvars
import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefBuilder

from signing import hex_strings, object_streams

# How many PDF objects are parsed between two checks of the budget while reading.
OBJECTS_PER_CHECK = 1024

# How many PDF objects (and object-stream header entries) reading a file of n bytes may parse:
# BASE_OBJECTS + OBJECTS_PER_BYTE * n. Parsing costs 10 to 20 µs an object, so the base is
# about a second of work, and a file gets about as much work as its size explains. Real files
# parse far fewer: a document's objects take a few bytes each even compressed (0.001 to 0.03
# objects a byte to read the samples and documents of 2000 pages; 0.1 to 0.15 to verify four
# signatures over them, whose difference analysis reads the document again for every pair of
# revisions, and those already take most of the verifier's time budget), while the
# object-stream bombs of a few kilobytes hold 100 a byte. (A large upload still has the time
# budget; this refuses, within a second or two, the small ones that used to take it all.)
BASE_OBJECTS = 50_000
OBJECTS_PER_BYTE = 1


def object_allowance(size: int) -> int:
    """How many objects parsing a file of `size` bytes may take (`BASE_OBJECTS`...)."""
    return BASE_OBJECTS + OBJECTS_PER_BYTE * max(0, size)

MiB = 1024 * 1024

# pyHanko's defaults let any document decode 256 MiB (per stream and in all), whatever its
# size. Uploads are at most 20 MB and what is decoded of them here (object and cross-reference
# streams, the odd content or metadata stream) is far smaller than the file's images, which
# stay encoded: a stream decodes to at most 32 MiB, a document to 32 MiB or 10 times its size,
# and an object stream past 1 MiB to 100 times its compressed size (pyHanko: past 4 MiB; real
# object streams compress about tenfold), 16 MiB at most.
DECODE_LIMITS = DecodeLimits(
    per_stream=StreamDecodeLimits(max_ratio=1100, ratio_floor=MiB, max_output_size=32 * MiB),
    per_purpose={**DEFAULT_PURPOSE_LIMITS, DecodePurpose.OBJECT_STREAM: StreamDecodeLimits(
        max_ratio=100, ratio_floor=MiB, max_output_size=16 * MiB)},
    document_budget=DocumentDecodeBudget(base_allowance=32 * MiB, max_ratio=10),
)

# The signing side's time allowance for reading and rewriting one uploaded file, and how many
# such parses run at once in a process (more wait `BUSY_WAIT_SECONDS`, then 503).
SIGNING_SECONDS = 20.0
SIGNING_CONCURRENT = 2

# How long a parse waits for a slot before "busy" (503).
BUSY_WAIT_SECONDS = 5.0


class BudgetExceeded(Exception):
    """The parse (or verification) used up its time or work allowance."""


class TooManyObjects(BudgetExceeded):
    """The file parsed into more objects than its size allows (`object_allowance`)."""


class TooManySections(BudgetExceeded, PdfReadError):
    """The file chains more cross-reference sections (revisions) than `MAX_SECTIONS`."""


MAX_SECTIONS = 2000  # far more revisions than any document has


@dataclass
class ParseBudget:
    """A time allowance for one parse, checked as objects are parsed (`object_read`), and
    at most `max_objects` objects parsed (None: no cap; `object_allowance(size)` for a file)."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)
    objects_read: int = 0
    exceeded: str | None = None
    cancelled: bool = False
    max_objects: int | None = None

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def deadline(self) -> float:
        return self.started + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.deadline - self.clock())

    def check(self) -> None:
        """Raise `BudgetExceeded` once the time is up or the caller stopped waiting."""
        if self.cancelled or self.clock() > self.deadline:
            self.exceeded = self.exceeded or "time"
            raise BudgetExceeded("the parse ran out of time")

    def object_read(self) -> None:
        """Count one PDF object parsed: `TooManyObjects` past `max_objects`; the time is
        checked every `OBJECTS_PER_CHECK`."""
        self.objects_read += 1
        if self.max_objects is not None and self.objects_read > self.max_objects:
            self.exceeded = self.exceeded or "objects"
            raise TooManyObjects(f"the file holds more than {self.max_objects} objects, more "
                                 "than its size explains")
        if not self.objects_read % OBJECTS_PER_CHECK:
            self.check()


class Slots:
    """At most `count` parses at once in this process; `busy` makes the error raised after
    waiting `BUSY_WAIT_SECONDS` for a slot."""

    def __init__(self, count: int, busy: Callable[[], Exception]) -> None:
        self._free = threading.BoundedSemaphore(count)
        self._busy = busy

    def take(self) -> None:
        if not self._free.acquire(timeout=BUSY_WAIT_SECONDS):
            raise self._busy()

    def give_back(self) -> None:
        self._free.release()


_CURRENT: contextvars.ContextVar[ParseBudget | None] = contextvars.ContextVar(
    "cedula_parse_budget", default=None)


def current() -> ParseBudget | None:
    return _CURRENT.get()


def activate(budget: ParseBudget | None) -> contextvars.Token[ParseBudget | None]:
    return _CURRENT.set(budget)


def deactivate(token: contextvars.Token[ParseBudget | None]) -> None:
    _CURRENT.reset(token)


def checkpoint() -> None:
    budget = _CURRENT.get()
    if budget is not None:
        budget.check()


_read_object = generic.read_object


def _read_object_counted(*args: Any, **kwargs: Any) -> Any:
    budget = _CURRENT.get()
    if budget is not None:
        budget.object_read()
    return _read_object(*args, **kwargs)


def _count_object() -> None:
    budget = _CURRENT.get()
    if budget is not None:
        budget.object_read()


def _refuse_inflation(problem: str) -> None:
    """An object stream bomb (`object_streams.MAX_INFLATION`): refused like a file of too many
    objects, when a budget is active (the verifier and the signing side)."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.exceeded = budget.exceeded or "inflation"
        raise TooManyObjects(f"the file is a decompression bomb: {problem}")


def count_parsed_objects() -> None:
    """Make pyHanko's object parser (`generic.read_object`, which its reader, object streams
    and nested arrays and dictionaries all go through) count each object against the budget
    active in this context. Without a checkpoint inside the parse, a few kilobytes of object
    streams kept a core busy for minutes. With no budget active it only costs a
    context-variable look-up. Idempotent."""
    generic.read_object = _read_object_counted


_READ_TABLE = XRefBuilder._read_xref_table
_READ_STREAM = XRefBuilder._read_xref_stream


def _section_read(builder: XRefBuilder) -> None:
    count = getattr(builder, "_cedula_sections", 0) + 1
    builder._cedula_sections = count  # type: ignore[attr-defined]
    if count > MAX_SECTIONS:
        raise TooManySections(f"more than {MAX_SECTIONS} cross-reference sections")


def _read_table(self: XRefBuilder, declared_startxref: int) -> Any:
    _section_read(self)
    return _READ_TABLE(self, declared_startxref)


def _read_stream(self: XRefBuilder, declared_startxref: int) -> Any:
    _section_read(self)
    return _READ_STREAM(self, declared_startxref)


def cap_sections() -> None:
    """Make pyHanko's reader stop after `MAX_SECTIONS` cross-reference sections (tables and
    streams alike), with `TooManySections`. Idempotent."""
    XRefBuilder._read_xref_table = _read_table  # type: ignore[method-assign]
    XRefBuilder._read_xref_stream = _read_stream  # type: ignore[method-assign]


def install() -> None:
    """The parser patches: objects counted, object-stream headers read once, hexadecimal
    strings read in one pass, cross-reference sections capped."""
    count_parsed_objects()
    cap_sections()
    object_streams.install(_count_object, _refuse_inflation)
    hex_strings.install()


def reader(data: bytes, *, strict: bool) -> PdfFileReader:
    """A pyHanko reader for an uploaded file, with `DECODE_LIMITS`."""
    return PdfFileReader(io.BytesIO(data), strict=strict, decode_limits=DECODE_LIMITS)
