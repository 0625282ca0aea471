"""Reports of a possible forgery: someone holds a document whose verification code is
well-formed (right length, right check symbol) but names no document this service issued.

Such a code was most likely made up, so the /verify page asks where the document came from and
stores the answer for operators (`/operator/forgery-reports`). One transaction per report; the
client address is not kept (rate limits use the ephemeral store, `signing.verify.views`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signing import csv as verification_code
from signing.errors import InvalidCode
from signing.models import ForgeryReport
from signing.verify.errors import VerificationError

if TYPE_CHECKING:
    from infra.db import Database

MAX_WHERE = 1000
MAX_CONTACT = 200


class InvalidForgeryReport(VerificationError):
    """A field of the report is missing, too long or not a verification code.

    `error` is one of `invalid_code`, `where_missing`, `where_too_long`, `contact_too_long`;
    `field` names the form field to point at."""

    status = 400

    def __init__(self, description: str, *, error: str, field: str) -> None:
        super().__init__(description, error=error)
        self.field = field


@dataclass(frozen=True)
class Received:
    reference: str
    code: str
    created_at: datetime


def _text(value: object) -> str:
    return " ".join(str(value or "").split()) if isinstance(value, str | None) else ""


def check(*, code: object, where: object, contact: object) -> tuple[str, str, str | None]:
    """The canonical code, where the document came from and the optional contact; or
    `InvalidForgeryReport` for the first field that is wrong."""
    try:
        canonical = verification_code.normalise(code if isinstance(code, str) else "")
    except InvalidCode as exc:
        raise InvalidForgeryReport(f"Not a verification code: {exc}.", error="invalid_code",
                                   field="code") from None
    where_found, reached = _text(where), _text(contact)
    if not where_found:
        raise InvalidForgeryReport("Say where or from whom you got the document.",
                                   error="where_missing", field="where")
    if len(where_found) > MAX_WHERE:
        raise InvalidForgeryReport(f"At most {MAX_WHERE} characters are allowed; "
                                   f"{len(where_found)} were given.", error="where_too_long",
                                   field="where")
    if len(reached) > MAX_CONTACT:
        raise InvalidForgeryReport(f"At most {MAX_CONTACT} characters are allowed; "
                                   f"{len(reached)} were given.", error="contact_too_long",
                                   field="contact")
    return canonical, where_found, reached or None


def record(database: Database, *, code: object, where: object, contact: object, language: str,
           now: datetime) -> Received:
    """Store one report (one transaction) and return its reference for the person."""
    canonical, where_found, reached = check(code=code, where=where, contact=contact)
    received = Received(reference=secrets.token_hex(8).upper(), code=canonical,
                        created_at=now)
    with database.transaction() as session:
        session.add(ForgeryReport(id=received.reference, code=canonical, where_found=where_found,
                                  contact=reached, language=language[:8],
                                  created_at=received.created_at))
    return received


def recent(session: Session, *, limit: int = 100) -> list[ForgeryReport]:
    """The newest reports first, for the operator console."""
    return list(session.scalars(sa.select(ForgeryReport)
                                .order_by(ForgeryReport.created_at.desc()).limit(limit)))


__all__ = ["InvalidForgeryReport", "Received", "check", "recent", "record"]
