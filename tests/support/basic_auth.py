"""An agency's HTTP Basic client authentication (RFC 6749 section 2.3.1) as the tests send it."""

from __future__ import annotations

import base64


def basic_auth(client_id: str, secret: str | None) -> dict[str, str]:
    """The Authorization header of `client_id` with `secret`."""
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
