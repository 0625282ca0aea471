"""An agency's side of a live server: register a client in the server's database, get tokens
over HTTP (the citizen's part played by `tests.support.live.Citizen`)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from tests.support.basic_auth import basic_auth
from tests.support.live import Citizen, LiveServer


@dataclass
class LiveAgency:
    server: LiveServer
    client_id: str
    secret: str | None
    redirect_uri: str

    def basic(self) -> dict[str, str]:
        return basic_auth(self.client_id, self.secret)

    def token(self, form: dict[str, str], *, headers: dict[str, str] | None = None,
              timeout: float = 60) -> requests.Response:
        return requests.post(self.server.url("/token"), data=form, headers=headers or self.basic(),
                             timeout=timeout)

    def tokens(self, citizen: Citizen, *, scope: str = "openid profile offline_access") -> dict[str, Any]:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                 "scope": scope, "state": "s", "nonce": "n", "code_challenge": challenge,
                 "code_challenge_method": "S256"}
        result = citizen.authorize(self.server.url("/authorize?" + urlencode(query)), self.redirect_uri)
        response = self.token({"grant_type": "authorization_code", "code": result["code"],
                               "redirect_uri": self.redirect_uri, "code_verifier": verifier})
        assert response.status_code == 200, response.text
        return response.json()


def register(server: LiveServer, **metadata: Any) -> LiveAgency:
    """An operator-registered client (client_secret_basic unless told otherwise)."""
    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db

    metadata.setdefault("client_name", "Agencia de prueba")
    metadata.setdefault("redirect_uris", ["https://portal.example.gov/callback"])
    metadata.setdefault("scope", "openid profile email offline_access")
    with get_db(server.app).transaction() as session:
        registration = register_client(session, metadata=metadata, permissions=Permissions(operator=True),
                                       fetch_sector=lambda uri: metadata["redirect_uris"])
        return LiveAgency(server, registration.client.client_id, registration.client_secret,
                          metadata["redirect_uris"][0])


def at_once(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Run `call(i)` in `count` real threads released together; their results in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait(60)
        try:
            results[index] = call(index)
        except Exception as exc:  # reported to the test as a result
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
