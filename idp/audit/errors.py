"""One error family for the data-sharing log."""

from __future__ import annotations


class AuditError(Exception):
    """Base of every error of `idp.audit` (bad entry, unusable chain, bad export)."""


class ChainBroken(AuditError):
    """The chain cannot be extended: its head is missing or does not match its entries."""
