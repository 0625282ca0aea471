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


ISSUER = {"tsa": "issuing", "ocsp": "issuing", "issuing": "root"}
RENEW_ISSUER = {"issuing": "renew the issuing CA first, `cedula pki renew issuing` (root key ceremony); "
                           "the {name} certificate then renews itself",
                "root": "a new root is needed (ceremony, see docs/pki.md)"}


def capped(*, not_after: datetime, issuer_not_after: datetime, now: datetime, window: timedelta) -> bool:
    """Within `window`, yet not `due`: a successor would end with the issuer, as this one does."""
    return not_after - now <= window and issuer_not_after <= not_after


def not_renewed(*, name: str, not_after: datetime, issuer_not_after: datetime, now: datetime,
                window: timedelta) -> str:
    """Why `name`'s successor was not issued (`due` is false): not yet within its window, or
    within it but `capped` by its issuer's end, which only renewing the issuer lifts."""
    if not capped(not_after=not_after, issuer_not_after=issuer_not_after, now=now, window=window):
        return f"{name} is not due (valid until {not_after.isoformat()}): nothing renewed"
    issuer = ISSUER[name]
    return (f"{name} is due (valid until {not_after.isoformat()}) but not renewed: a successor would "
            f"end with the {issuer} CA, on the same day ({issuer_not_after.isoformat()}); "
            + RENEW_ISSUER[issuer].format(name=name))


__all__ = ["ISSUER", "capped", "due", "not_renewed"]
