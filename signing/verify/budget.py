"""Bounds on the work one verification may do: time, certificates, path building, revisions.

A crafted PDF must not tie up a worker: the verifier runs each verification against a
`Budget`. Work that can grow with the input checks it at each step (every certificate
look-up during path building, every revision compared); the verifier also stops waiting when
the time is up and answers INDETERMINATE (`TIME_BUDGET_EXCEEDED`), while the abandoned work
stops at its next check (at the latest after `OBJECTS_PER_CHECK` more PDF objects parsed,
`count_parsed_objects`). The budget of the running verification is found through a context
variable, so pyHanko's callbacks (the trust manager) can reach it without being told.
"""

from __future__ import annotations

import contextvars
import copy
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.sign.diff_analysis import DiffPolicy
from pyhanko_certvalidator.authority import TrustAnchor
from pyhanko_certvalidator.registry import SimpleTrustManager

from signing.verify.errors import VerifierBusy

# How many PDF objects are parsed between two checks of the budget while reading.
OBJECTS_PER_CHECK = 1024


class BudgetExceeded(Exception):
    """The verification used up its time or work allowance."""


@dataclass(frozen=True)
class Limits:
    """`[verify]` limits (config/default.toml documents each)."""

    seconds: float = 20.0
    cms_certificates: int = 20
    dss_entries: int = 1000
    path_steps: int = 2000
    revisions: int = 500
    signatures: int = 50
    concurrent: int = 2


@dataclass
class Budget:
    limits: Limits
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)
    path_steps: int = 0
    objects_read: int = 0
    exceeded: str | None = None
    cancelled: bool = False

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def deadline(self) -> float:
        return self.started + self.limits.seconds

    def remaining(self) -> float:
        return max(0.0, self.deadline - self.clock())

    def check(self) -> None:
        """Raise `BudgetExceeded` once the time is up or the verifier stopped waiting."""
        if self.cancelled or self.clock() > self.deadline:
            self.exceeded = self.exceeded or "time"
            raise BudgetExceeded("the verification ran out of time")

    def object_read(self) -> None:
        """Count one PDF object parsed; check the budget every `OBJECTS_PER_CHECK`."""
        self.objects_read += 1
        if not self.objects_read % OBJECTS_PER_CHECK:
            self.check()

    def path_step(self) -> None:
        self.path_steps += 1
        if self.path_steps > self.limits.path_steps:
            self.exceeded = self.exceeded or "path_building"
            raise BudgetExceeded(f"certificate path building took more than "
                                 f"{self.limits.path_steps} steps")
        self.check()


# How long a verification waits for one of `Limits.concurrent` slots before "busy" (503).
BUSY_WAIT_SECONDS = 5.0


class Slots:
    """At most `Limits.concurrent` verifications at once in this process. A slot is held by
    the verification's worker until it really stops, past its answer if it was abandoned:
    uploads that each use up their time budget cannot pile up threads on every core (each
    address may send `[verify] attempts` per window, and addresses are many)."""

    def __init__(self, count: int) -> None:
        self._free = threading.BoundedSemaphore(count)

    def take(self) -> None:
        """Take a slot, or raise `VerifierBusy` after waiting `BUSY_WAIT_SECONDS` for one."""
        if not self._free.acquire(timeout=BUSY_WAIT_SECONDS):
            raise VerifierBusy("Too many verifications are running; try again in a few "
                               "seconds.")

    def give_back(self) -> None:
        self._free.release()


_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "cedula_verification_budget", default=None)


def current() -> Budget | None:
    return _CURRENT.get()


def activate(budget: Budget) -> contextvars.Token[Budget | None]:
    return _CURRENT.set(budget)


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


def count_parsed_objects() -> None:
    """Make pyHanko's object parser (`generic.read_object`, which its reader, object streams
    and nested arrays and dictionaries all go through) count each object against the running
    verification's budget. Parsing is pure Python (~20 µs an object): a few kilobytes of
    compressed object streams hold millions of objects, and without a checkpoint inside the
    parse, work the verifier had abandoned kept a core busy for minutes. Outside a
    verification (no budget active) it only costs a context-variable look-up. Idempotent."""
    generic.read_object = _read_object_counted


class BoundedTrustManager(SimpleTrustManager):
    """pyHanko's trust manager, counting every issuer look-up of path building against the
    running verification's budget (pyhanko_certvalidator.registry._IssuerFetcher asks the
    trust manager first for each certificate it tries to extend a path from).

    It must be a `SimpleTrustManager` (the validation context registers the roots of those
    as known certificates), so it takes over the state `SimpleTrustManager.build` makes.
    """

    def __init__(self, roots: Iterable[asn1_x509.Certificate]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.__dict__.update(vars(SimpleTrustManager.build(trust_roots=list(roots))))

    def find_potential_issuers(self, cert: asn1_x509.Certificate) -> Iterator[TrustAnchor]:
        budget = _CURRENT.get()
        if budget is not None:
            budget.path_step()
        yield from super().find_potential_issuers(cert)


class BoundedDiffPolicy(DiffPolicy):
    """A pyHanko difference policy that checks the budget before each revision it compares
    and refuses to compare more revisions after a signature than `limits.revisions`."""

    def __init__(self, inner: DiffPolicy) -> None:
        self.inner = inner

    def apply(self, old: Any, new: Any, field_mdp_spec: Any = None, doc_mdp: Any = None) -> Any:
        checkpoint()
        return self.inner.apply(old, new, field_mdp_spec, doc_mdp)

    def review_file(self, reader: Any, base_revision: Any, field_mdp_spec: Any = None, doc_mdp: Any = None) -> Any:
        budget = _CURRENT.get()
        base = base_revision if isinstance(base_revision, int) else base_revision.revision
        if budget is not None and reader.xrefs.total_revisions - base > budget.limits.revisions:
            budget.exceeded = budget.exceeded or "revisions"
            raise BudgetExceeded(f"more than {budget.limits.revisions} revisions after a "
                                 "signature")
        checkpoint()
        return _review_with_checkpoints(self.inner, reader, base_revision, field_mdp_spec,
                                        doc_mdp)


def _review_with_checkpoints(inner: DiffPolicy, reader: Any, base_revision: Any, field_mdp_spec: Any,
                             doc_mdp: Any) -> Any:
    """The inner policy's review, with a checkpoint before each pair of revisions (its
    `review_file` calls its own `apply` per revision: a shallow copy gets a checked one)."""
    original = inner.apply

    def apply(old: Any, new: Any, field_mdp_spec: Any = None, doc_mdp: Any = None) -> Any:
        checkpoint()
        return original(old, new, field_mdp_spec, doc_mdp)

    shadow = copy.copy(inner)
    shadow.apply = apply  # type: ignore[method-assign]
    return shadow.review_file(reader, base_revision, field_mdp_spec, doc_mdp)


def bounded_policy(policy: DiffPolicy) -> BoundedDiffPolicy:
    return BoundedDiffPolicy(policy)
