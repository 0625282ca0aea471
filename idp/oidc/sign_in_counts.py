"""What a code exchange adds to the indicators: a sign-in to an agency by level and
authenticator, the token issued, and the citizen's first agency sign-in (the enrolment funnel's
last step). The counts of a kind of sign-in are made once a day per process (issue 16)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from idp.indicators import catalog as indicators
from idp.oidc.grants import GrantRecord
from infra.indicators import Increment, increment, today

# (agency, level, authenticator, first, day) -> its counts (frozen Increments), per process.
_SIGN_IN_COUNTS: dict[tuple[str, str, str, bool, date], tuple[Increment, ...]] = {}
SIGN_IN_COUNTS_KEPT = 10_000


def sign_in_counts(*, client_id: str, grant: GrantRecord, first: bool, now: datetime,
                   acr_uris: Mapping[str, str]) -> list[Increment]:
    """A sign-in to an agency, counted by level and authenticator; the citizen's first agency
    sign-in ever (`first`) closes the enrolment funnel. The same for every sign-in of the same
    kind to the same agency on a day: made once (issue 16)."""
    level = indicators.level_of(grant.acr, acr_uris)
    authenticator = indicators.authenticator(grant.amr)
    key = (client_id, level, authenticator, first, today(now))
    counts = _SIGN_IN_COUNTS.get(key)
    if counts is None:
        counted = [("signin.level", level), ("signin.authenticator", authenticator),
                   ("token.issued", "authorization_code")] + ([("funnel.enrolment", "first_signin")] if first else [])
        counts = tuple(increment(kind, agency=client_id, dimension=dimension, now=now) for kind, dimension in counted)
        if len(_SIGN_IN_COUNTS) >= SIGN_IN_COUNTS_KEPT:
            _SIGN_IN_COUNTS.clear()
        _SIGN_IN_COUNTS[key] = counts
    return list(counts)
