"""When a certificate's successor is worth issuing: within its renewal window, and only if the
successor outlives it. A certificate never outlives its issuer (RFC 5280, 6.1.3 (a)(2)): the
TSA and OCSP responder certificates end at the latest with the issuing CA, the issuing CA with
the root, so once the issuer itself ends within the window a successor would end on the same
day, and issuing one at each request (`Pki.renew_services`) would only pile up keys."""

from __future__ import annotations

from datetime import datetime, timedelta


def due(*, not_after: datetime, issuer_not_after: datetime, now: datetime, window: timedelta) -> bool:
    """Renew now: `not_after` is within `window` of `now`, and the issuer (whose `not_after`
    caps the successor's) ends later than it."""
    return not_after - now <= window and issuer_not_after > not_after


__all__ = ["due"]
