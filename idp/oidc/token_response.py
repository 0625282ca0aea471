"""The token endpoint's answer to a code or refresh grant (RFC 6749 section 5.1, OIDC Core
3.1.3.3), with what the data-sharing log needs of it (not sent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, init=False)
class TokenResponse:
    """RFC 6749 section 5.1 and OIDC Core 3.1.3.3. (`__init__`: the dataclass's, with the
    fields put into the instance's dict at once, not one frozen `object.__setattr__` each:
    issue 16, one per /token.)"""

    access_token: str
    expires_in: int
    scope: str
    id_token: str
    refresh_token: str | None = None
    # RFC 9449 section 5: "DPoP" when the access token is bound to the client's key.
    token_type: str = "Bearer"  # noqa: S105 - a token type name
    # Not sent: whose claims the ID token released, and which (for the data-sharing log).
    citizen_id: str | None = field(default=None, compare=False)
    client_id: str | None = field(default=None, compare=False)
    released: tuple[str, ...] = field(default=(), compare=False)
    # True when the release was logged in the grant's own transaction (no second one needed).
    logged: bool = field(default=False, compare=False)
    # The members written without JSON escaping: compact JWS and `secrets.token_urlsafe` text.
    VERBATIM: ClassVar[frozenset[str]] = frozenset({"access_token", "id_token", "refresh_token"})

    def __init__(self, access_token: str, expires_in: int, scope: str, id_token: str,
                 refresh_token: str | None = None, token_type: str = "Bearer",  # noqa: S107 - a type name
                 citizen_id: str | None = None, client_id: str | None = None, released: tuple[str, ...] = (),
                 logged: bool = False) -> None:
        self.__dict__.update(access_token=access_token, expires_in=expires_in, scope=scope, id_token=id_token,
                             refresh_token=refresh_token, token_type=token_type, citizen_id=citizen_id,
                             client_id=client_id, released=released, logged=logged)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"access_token": self.access_token, "token_type": self.token_type,
                                "expires_in": self.expires_in, "scope": self.scope,
                                "id_token": self.id_token}
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        return body
