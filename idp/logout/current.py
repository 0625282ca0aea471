"""Single logout as built for an application (`get_logout`), for the modules of `idp.logout`
that must not import the package (its `__init__` wires them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask

from idp.logout.settings import LogoutSettings
from idp.sessions import session_policy
from infra.components import Slot

if TYPE_CHECKING:
    from idp.logout.deliveries import LogoutWorker


@dataclass
class Logout:
    """What single logout needs in each process, built once. `announce(sid=, citizen_id=,
    reason=)` tells the agencies of an ended session (Back-Channel Logout 1.0, 2.7)."""

    app: Flask
    settings: LogoutSettings
    announce: Callable[..., None]
    worker: LogoutWorker | None = None

    def process_expiries(self, now: float) -> int:
        from idp.logout import expiry
        from infra.store import get_store

        return expiry.process_due(get_store(self.app), session_policy(self.app), now=now,
                                  announce=self.announce)


LOGOUT: Slot[Logout] = Slot("single logout")


def get_logout(app: Flask | None = None) -> Logout:
    return LOGOUT.of(app)
