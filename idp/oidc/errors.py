"""One error family for the OpenID Provider: catch `OidcError` to catch any protocol failure.

`error` is the registered OAuth 2.0 / OpenID Connect code, `description` a sentence for the
developer of the client that says what was expected and what was found.
"""

from __future__ import annotations

from infra.web.error_shape import CodedError


class OidcError(CodedError):
    """Base of every protocol error of `idp.oidc`."""


class UnsafeRedirect(OidcError):
    """RFC 6749 section 4.1.2.1: the client or redirect URI is not valid; never redirect."""


class InvalidRequestUri(UnsafeRedirect):
    """RFC 9126 section 4 / OIDC Core 3.1.2.6: the request_uri is unknown, spent, expired or
    another client's; the request it named (and so its redirect URI) is unknown: never redirect."""

    error = "invalid_request_uri"


class AuthorizationError(OidcError):
    """RFC 6749 section 4.1.2.1 / OIDC Core 3.1.2.6: sent back to the client's redirect URI.

    Request validation fills in `redirect_uri` and `state` once they are known.
    """

    redirect_uri: str | None = None
    state: str | None = None
    # The client and its response mode (JARM: the error is signed too).
    client_id: str | None = None
    response_mode: str | None = None


class InvalidClient(OidcError):
    """RFC 6749 section 5.2: client authentication failed (401)."""

    error = "invalid_client"
    status = 401

    def __init__(self, description: str, *, basic: bool = False) -> None:
        super().__init__(description)
        self.basic = basic


class UnregisteredClient(InvalidClient):
    """The named client is not registered or is disabled: the same answer as any failed client
    authentication, but no failure is counted against the name (there is no secret to guess,
    and a flood of made-up names must not fill the store with throttle keys)."""


class ClientAuthenticationThrottled(InvalidClient):
    """Too many failed client authentications for this client from this address (429)."""

    status = 429

    def __init__(self, description: str, *, retry_after: int) -> None:
        super().__init__(description)
        self.retry_after = retry_after


class InvalidGrant(OidcError):
    """RFC 6749 section 5.2: the code or refresh token is not valid for this client."""

    error = "invalid_grant"


class InvalidToken(OidcError):
    """RFC 6750 section 3.1: the access token is expired, revoked, malformed or invalid."""

    error = "invalid_token"
    status = 401


class InsufficientUserAuthentication(OidcError):
    """RFC 9470 section 3: the sign-in behind the token is below what the resource needs;
    `acr_values` names the level to ask for in a new authorization request."""

    error = "insufficient_user_authentication"
    status = 401

    def __init__(self, description: str, *, acr_values: str) -> None:
        super().__init__(description)
        self.acr_values = acr_values


class InsufficientScope(OidcError):
    """RFC 6750 section 3.1: the access token lacks a scope the resource needs."""

    error = "insufficient_scope"
    status = 403
