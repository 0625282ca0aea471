"""Where a passkey was created and last used, in a citizen's words ("Chrome on macOS").

Only the browser family and the operating system are kept (`idp.logout.devices`), stored as
"browser|system" on the passkey row, never the User-Agent itself. A passkey's creation is
noted by the registration view; its use by the sign-in history's session listener
(`idp.account.sign_ins`): the row is updated only when the device changed.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.citizens.models import Passkey
from idp.logout.devices import Device, describe

SEPARATOR = "|"


def summary(user_agent: str) -> str | None:
    """"browser|system" for a User-Agent, or None when neither is recognised."""
    device = describe(user_agent or "")
    if device.browser is None and device.system is None:
        return None
    return f"{device.browser or ''}{SEPARATOR}{device.system or ''}"[:80]


def parse(value: str | None) -> Device | None:
    """The stored summary as a Device, or None."""
    if not value or SEPARATOR not in value:
        return None
    browser, _, system = value.partition(SEPARATOR)
    if not browser and not system:
        return None
    return Device(browser=browser or None, system=system or None)


def note_created(session: Session, *, credential_id: bytes, user_agent: str) -> None:
    """Record where a passkey was just registered (in the registration's transaction)."""
    device = summary(user_agent)
    if device is None:
        return
    session.execute(sa.update(Passkey).where(Passkey.credential_id == credential_id)
                    .values(created_device=device, last_used_device=device)
                    .execution_options(cache_neutral=True))


_PASSKEYS = cast(sa.Table, Passkey.__table__)
# Built once (SQLAlchemy keeps its compiled form); a table statement, no ORM unit of work.
_NOTE_USED = (sa.update(_PASSKEYS)
              .where(_PASSKEYS.c.credential_id == sa.bindparam("used_credential"),
                     sa.or_(_PASSKEYS.c.last_used_device.is_(None),
                            _PASSKEYS.c.last_used_device != sa.bindparam("device")))
              .values(last_used_device=sa.bindparam("new_device"))
              # Nothing a cache keeps depends on it (infra.invalidation).
              .execution_options(cache_neutral=True))


def note_used(connection: sa.Connection, *, credential_id: bytes, user_agent: str) -> None:
    """Record where a passkey was used, writing only when the device changed (on the
    transaction's connection; an ORM session's caller passes `session.connection()`)."""
    device = summary(user_agent)
    if device is None:
        return
    connection.execute(_NOTE_USED, {"used_credential": credential_id, "device": device,
                                    "new_device": device})


__all__ = ["note_created", "note_used", "parse", "summary"]
