"""One error family for single logout: a refused logout request, a failed delivery."""

from __future__ import annotations

from infra.web.error_shape import CodedError


class LogoutError(Exception):
    """Base of every error raised by `idp.logout` services."""


class LogoutRefused(LogoutError, CodedError):
    """An RP-initiated logout request that must not be acted on (RP-Initiated Logout 1.0, 2-3).

    `error` is the machine code shown on the page, `description` says what was expected.
    """

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description, error=error)


class InvalidHint(LogoutRefused):
    """Section 2: the id_token_hint is not an ID token this provider issued (signature, `iss`,
    `typ`, claims). Refused, never taken as a mere absence: the link that brought the citizen
    is broken or forged, and the page says to sign out from the account page instead."""

    def __init__(self, description: str) -> None:
        super().__init__("invalid_request", description)
