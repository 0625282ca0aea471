"""The operator audit trail (`registrar_audit`) made tamper-evident by the data-sharing log's
hash chain: each record is anchored, in the transaction that writes it, by one log entry
(event `operator.action`, no citizen) whose reference holds the record's id and the SHA-256 of
its canonical JSON. The log's entry MAC, chain and signed checkpoints (`idp.audit`) then protect
the anchors; `verify_trail` (run by `cedula audit verify`) compares the trail with them:

- a record whose digest differs from its anchor was edited (or swapped with another: the id is
  part of what is hashed);
- an anchor whose record is gone names a deleted record;
- a record newer than the first anchor without one was inserted behind the service's back.

Records written before anchoring existed (older than the first anchor) cannot be proven; they
are counted, never reported as tampered. No migration: the anchors are ordinary log entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp import audit
from idp.audit.chain import canonical, sha256_hex, timestamp
from idp.audit.models import AuditEntry
from idp.registrar.models import RegistrarAuditEntry

ANCHOR_EVENT = "operator.action"
REFERENCE_PREFIX = "operator-audit:"
LAW = "Cédula operator audit trail"
_BATCH = 1000


def record_json(entry: RegistrarAuditEntry) -> dict[str, Any]:
    """What an anchor vouches for: every column of the record, the id included."""
    return {"id": int(entry.id), "at": timestamp(entry.at), "actor": entry.actor,
            "service_point": entry.service_point, "action": entry.action,
            "citizen_id": None if entry.citizen_id is None else str(entry.citizen_id),
            "details": entry.details or {}}


def record_digest(entry: RegistrarAuditEntry) -> str:
    return sha256_hex(canonical(record_json(entry)))


def anchor(session: Session, entry: RegistrarAuditEntry) -> None:
    """Anchor a flushed record in the data-sharing log, in the caller's transaction."""
    audit.append(session, event=ANCHOR_EVENT, citizen_id=None, purpose=entry.action,
                 legal_basis="law", law=LAW, reference=f"{REFERENCE_PREFIX}{entry.id}:{record_digest(entry)}",
                 now=entry.at)


@dataclass(frozen=True)
class TrailReport:
    records: int
    """Records checked against their anchor."""
    unproven: int
    """Records older than the first anchor (written before anchoring existed)."""
    problem: str | None = None

    ADVICE = ("Compare the operator audit trail (registrar_audit) with a backup, find out who changed "
              "the database, and keep this output; the data-sharing log still holds what each record said.")


def _anchors(session: Session) -> dict[int, bytes]:
    """record id -> digest, from every anchor in the log (sealed or pending)."""
    anchors: dict[int, bytes] = {}
    query = sa.select(AuditEntry.reference).where(AuditEntry.event == ANCHOR_EVENT)
    for reference in session.scalars(query.execution_options(yield_per=_BATCH)):
        ident, _, digest = (reference or "").removeprefix(REFERENCE_PREFIX).partition(":")
        if ident.isdigit() and len(digest) == 64:
            anchors.setdefault(int(ident), bytes.fromhex(digest))
    return anchors


def verify_trail(session: Session) -> TrailReport:
    """Check every operator audit record against its anchor; the first problem found, if any."""
    anchors = _anchors(session)
    first = min(anchors) if anchors else None
    checked = unproven = 0
    problem: str | None = None
    query = sa.select(RegistrarAuditEntry).order_by(RegistrarAuditEntry.id)
    for entry in session.scalars(query.execution_options(yield_per=_BATCH)):
        kept = anchors.pop(int(entry.id), None)
        if kept is not None:
            checked += 1
            if problem is None and bytes.fromhex(record_digest(entry)) != kept:
                problem = f"operator audit record {entry.id} was edited or moved"
        elif first is not None and entry.id > first:
            if problem is None:
                problem = f"operator audit record {entry.id} is in no log entry: it was inserted afterwards"
        else:
            unproven += 1
    if problem is None and anchors:
        problem = f"operator audit record {min(anchors)} was deleted"
    return TrailReport(records=checked, unproven=unproven, problem=problem)
