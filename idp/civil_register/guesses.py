"""Details typed for a national ID: how many different ones the register is asked about a day.

The register answers whether the names and date of birth someone typed match the record of a
national ID, and anyone can type another person's ID number (`/reclaim`, or an enrolment and
the account's register check). That answer is an oracle: trying every date of birth in a span
of years finds the person's, and then the masked contacts of record. The limits per address
and per ID per short window do not bound it (many addresses; 20 tries every 5 minutes are
thousands a day). So the different sets of details asked about an ID are counted for a day
(keyed digests, in the ephemeral store, shared by every worker), and past
`[assurance] register_details_per_day` of them the register is not asked about that ID with
new details until the day is over (`TooManyDetails`). Details admitted before stay admitted
while they are asked again within a day (the account's own check, the reclaim pages shown
again), so the person whose details they are is refused only when someone else tried that
many others first; a service office (in person) is never refused this way.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask

from idp.civil_register.base import RegisterQuery, fold
from idp.civil_register.errors import CivilRegisterError
from infra.config import get_settings, read_section
from infra.secrets import get_secrets
from infra.store import get_store

PREFIX = "civil-register:details:"
COUNTS = "civil-register:asked:"
KEY_PURPOSE = "civil-register-details"
DAY = 86400
ADMITTED, REFUSED = b"1", b"0"


class TooManyDetails(CivilRegisterError):
    """Too many different details were asked about this national ID lately; `retry_after`
    seconds to wait."""

    code = "too_many_details"
    retry_after = DAY


def per_day(app: Flask) -> int:
    """`[assurance] register_details_per_day` (ConfigError at start if it is not a whole
    number from 1)."""
    return read_section(get_settings(app), "assurance").whole("register_details_per_day", minimum=1)


def admit(app: Flask, query: RegisterQuery) -> None:
    """Count `query`'s details against its national ID, once a day; TooManyDetails past the
    day's limit (the register must not be asked). Details admitted before stay admitted while
    they are asked again within a day; details refused stay refused for the day."""
    key = get_secrets(app).key(KEY_PURPOSE)
    subject = hmac.new(key, f"{query.national_id_scheme}\x00{query.national_id}".encode(),
                       hashlib.sha256).hexdigest()[:32]
    details = hmac.new(key, "\x00".join((subject, fold(query.given_name), fold(query.family_name),
                                         query.birthdate.isoformat())).encode(),
                       hashlib.sha256).hexdigest()[:32]
    store = get_store(app)
    seen = store.get(PREFIX + details)
    if seen == ADMITTED:
        store.set(PREFIX + details, ADMITTED, DAY)
        return
    if seen is None:
        admitted = store.incr(COUNTS + subject, DAY) <= per_day(app)
        store.set(PREFIX + details, ADMITTED if admitted else REFUSED, DAY)
        if admitted:
            return
    raise TooManyDetails("too many different details were asked about this national ID today")


__all__ = ["TooManyDetails", "admit", "per_day"]
