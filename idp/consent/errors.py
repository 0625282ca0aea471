"""One error family for consent and account closure."""

from __future__ import annotations

from infra.web.error_shape import CodedError


class ConsentError(Exception):
    """Base of every error of `idp.consent`."""


class AgencyNotConnected(ConsentError):
    """The citizen has no consent and no active grant with this agency."""


class AccountClosed(ConsentError):
    """The account does not exist or was already closed."""


class CheckEnded(ConsentError):
    """The passkey the session was checked with is no longer the account's (a desk recovery, a
    reclaim or a deletion committed after the check): the check vouches for nothing now."""


class ConsentNotInForce(ConsentError, CodedError):
    """Data would be released to an agency under no consent in force (withdrawn, superseded
    and none newer, or expired): nothing is released (the token endpoint answers 400)."""

    error = "invalid_grant"
