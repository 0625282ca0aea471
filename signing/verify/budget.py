"""Bounds on the work one verification may do: time, certificates, path building, revisions.

A crafted PDF must not tie up a worker: the verifier runs each verification against a
`Budget` (the parse budget of `signing.pdf_parsing`, which the signing side uses too, with the
`[verify]` limits). Work that can grow with the input checks it at each step (every
certificate look-up during path building, every revision compared); the verifier also stops
waiting when the time is up and answers INDETERMINATE (`TIME_BUDGET_EXCEEDED`), while the
abandoned work stops at its next check (at the latest after `OBJECTS_PER_CHECK` more PDF
objects parsed, `count_parsed_objects`). The budget of the running verification is found
through a context variable, so pyHanko's callbacks (the trust manager) can reach it without
being told.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.diff_analysis import DiffPolicy
from pyhanko_certvalidator.authority import TrustAnchor
from pyhanko_certvalidator.registry import SimpleTrustManager

from signing import pdf_parsing
from signing.pdf_parsing import (
    OBJECTS_PER_CHECK,
    BudgetExceeded,
    ParseBudget,
    activate,
    checkpoint,
    count_parsed_objects,
    current,
)
from signing.verify.errors import VerifierBusy

__all__ = ["OBJECTS_PER_CHECK", "BoundedDiffPolicy", "BoundedTrustManager", "Budget",
           "BudgetExceeded", "Limits", "Slots", "activate", "bounded_policy", "checkpoint",
           "count_parsed_objects", "current"]


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


class Budget(ParseBudget):
    """One verification's allowance: the parse budget (`signing.pdf_parsing`) with `limits`
    and a count of path-building steps."""

    def __init__(self, limits: Limits, **kwargs: Any) -> None:
        self.limits = limits
        self.path_steps = 0
        super().__init__(limits.seconds, **kwargs)

    def path_step(self) -> None:
        self.path_steps += 1
        if self.path_steps > self.limits.path_steps:
            self.exceeded = self.exceeded or "path_building"
            raise BudgetExceeded(f"certificate path building took more than "
                                 f"{self.limits.path_steps} steps")
        self.check()


class Slots(pdf_parsing.Slots):
    """At most `Limits.concurrent` verifications at once in this process. A slot is held by
    the verification's worker until it really stops, past its answer if it was abandoned:
    uploads that each use up their time budget cannot pile up threads on every core (each
    address may send `[verify] attempts` per window, and addresses are many)."""

    def __init__(self, count: int) -> None:
        super().__init__(count, lambda: VerifierBusy(
            "Too many verifications are running; try again in a few seconds."))


def _verification() -> Budget | None:
    """The running verification's budget (not a signing-side parse's)."""
    budget = current()
    return budget if isinstance(budget, Budget) else None


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
        budget = _verification()
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
        budget = _verification()
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
