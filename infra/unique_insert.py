"""Adding rows that a unique constraint may refuse, without losing the caller's transaction.

A check before the insert ("is this national ID taken?") can be overtaken by another request;
the database's unique constraint decides. The rows go in under a savepoint, so a refusal rolls
back only them and the caller raises its own error in the transaction it still holds.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def insert_unique(session: Session, *rows: object, taken: Exception) -> None:
    """Add and flush `rows` in this order under a savepoint; raise `taken` (the savepoint rolled
    back, the transaction kept) when the database refuses them (IntegrityError)."""
    try:
        with session.begin_nested():
            for row in rows:
                session.add(row)
                session.flush()
    except IntegrityError:
        raise taken from None
