"""One error family for consent and account closure."""

from __future__ import annotations


class ConsentError(Exception):
    """Base of every error of `idp.consent`."""


class AgencyNotConnected(ConsentError):
    """The citizen has no consent and no active grant with this agency."""


class AccountClosed(ConsentError):
    """The account does not exist or was already closed."""
