"""A console form that creates something is done once, however often it is sent.

The form carries a random mark (`form_id`). The first post claims it in the ephemeral store
(`add`: one of any number of concurrent posts wins, on every worker); once the change is
committed the mark holds what was made, so a second post (a double click, a browser resending
after a slow answer, the re-check page sent twice) is shown that instead of making another. A
refused post frees its mark, so the corrected form can be sent again. A form without a mark
(opened before this existed) is not guarded.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import current_app

from infra.store import get_store

FIELD = "form_id"
KEEP_SECONDS = 24 * 3600
_SHAPE = re.compile(r"[A-Za-z0-9_-]{22,64}")


def new_mark() -> str:
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Claim:
    """What a post of the form may do: `fresh` (go on and `done()` it), or it was sent before:
    `made` names what it made, or is None while the first post is still at work."""

    key: str | None
    fresh: bool
    made: str | None = None

    def done(self, made: str) -> None:
        if self.key is not None:
            get_store(current_app).set(self.key, made.encode(), KEEP_SECONDS)

    def release(self) -> None:
        if self.key is not None:
            get_store(current_app).delete(self.key)


def claim(form: str, actor: str, mark: str) -> Claim:
    """Claim the form's mark for `actor` (the marks of one operator are not another's)."""
    if not _SHAPE.fullmatch(mark):
        return Claim(key=None, fresh=True)
    key = f"operator:form:{form}:{actor}:{mark}"
    store = get_store(current_app)
    if store.add(key, b"", KEEP_SECONDS):
        return Claim(key=key, fresh=True)
    made = store.get(key)
    return Claim(key=None, fresh=False, made=made.decode() if made else None)
