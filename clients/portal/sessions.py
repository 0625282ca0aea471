"""The portal's own sign-in sessions, ended by back-channel logout (OIDC Back-Channel Logout 1.0).

A demo portal runs as one process, so a locked dictionary is its session store. The browser holds
only a random portal session id in a signed cookie.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PortalSession:
    claims: dict[str, Any]
    id_token: str
    token: dict[str, Any]
    created: float = field(default_factory=time.time)
    issued: list[Any] = field(default_factory=list)  # documents issued to the citizen here

    @property
    def sid(self) -> str | None:
        return self.claims.get("sid")

    @property
    def sub(self) -> str | None:
        return self.claims.get("sub")


class SessionRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, PortalSession] = {}

    def create(self, session: PortalSession) -> str:
        key = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[key] = session
        return key

    def get(self, key: str | None) -> PortalSession | None:
        if not key:
            return None
        with self._lock:
            return self._sessions.get(key)

    def remove(self, key: str | None) -> None:
        with self._lock:
            self._sessions.pop(key or "", None)

    def end(self, *, sid: str | None, sub: str | None) -> int:
        """End every session of the provider session `sid` (or of the subject `sub`)."""
        with self._lock:
            doomed = [k for k, s in self._sessions.items()
                      if (sid and s.sid == sid) or (not sid and sub and s.sub == sub)]
            for key in doomed:
                del self._sessions[key]
            return len(doomed)
