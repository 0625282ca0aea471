"""Dates, times and numbers written the way a reader of the language expects (CLDR, via Babel).

One `Formats` per language and time zone: the pages build it from the citizen's choice (the
`lang` cookie, the `tz` cookie, the `[i18n] timezone` setting: `infra.web.i18n.formats()`), the
PDF renderer from the document's language and the time it states.

    Formats.of("es", "America/Bogota").date(date(1990, 5, 17))  -> "17 de mayo de 1990"
    Formats.of("en", "Europe/Madrid").datetime(moment)          -> "May 3, 2025, 9:05 PM"

Times stored without a zone (SQLite returns them so) are UTC: every time Cédula stores is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format, get_timezone_gmt
from babel.numbers import format_decimal

Width = Literal["short", "medium", "long", "full"]


class UnknownZone(ValueError):
    """A time-zone name that is not in the IANA database."""


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name` (e.g. "America/Bogota"); only names the database lists, so a
    cookie cannot point the reader at an arbitrary file."""
    if name not in _zone_names():
        raise UnknownZone(f"unknown time zone {name[:64]!r}: expected an IANA name such as 'Europe/Madrid'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # listed but unreadable
        raise UnknownZone(f"time zone {name!r} cannot be read: {exc}") from None


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"no CLDR data for language {language!r}: {exc}") from None


@dataclass(frozen=True)
class Formats:
    """How dates, times and numbers read in one language and one time zone."""

    locale: Locale
    zone: dt.tzinfo

    @classmethod
    def of(cls, language: str, time_zone: str | dt.tzinfo = dt.UTC) -> Formats:
        return cls(_locale(language), zone(time_zone) if isinstance(time_zone, str) else time_zone)

    @property
    def language(self) -> str:
        return str(self.locale)

    def local(self, value: dt.datetime) -> dt.datetime:
        """`value` in this time zone (a value without zone is UTC)."""
        aware = value if value.tzinfo is not None and value.utcoffset() is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(self.zone)

    def date(self, value: dt.date | dt.datetime, width: Width = "long") -> str:
        """`17 de mayo de 1990` / `May 17, 1990` (long); `17 may 1990` / `May 17, 1990` (medium).
        A moment is first put in this time zone: its local date is the one the reader lives."""
        day = self.local(value).date() if isinstance(value, dt.datetime) else value
        return format_date(day, width, locale=self.locale)

    def month(self, value: dt.date | dt.datetime) -> str:
        """A month of a year: `mayo de 2025` / `May 2025` (CLDR skeleton yMMMM)."""
        day = self.local(value).date() if isinstance(value, dt.datetime) else value
        return format_skeleton("yMMMM", day, locale=self.locale)

    def day_and_month(self, value: dt.date) -> str:
        """A day without its year, where the year is plain: `30 nov` / `Nov 30` (skeleton MMMd)."""
        return format_skeleton("MMMd", value, locale=self.locale)

    def short_month(self, value: dt.date) -> str:
        """A month in few letters: `nov 2026` / `Nov 2026` (skeleton yMMM)."""
        return format_skeleton("yMMM", value, locale=self.locale)

    def time(self, value: dt.datetime, width: Width = "short") -> str:
        """`21:05` / `9:05 PM`, in this time zone."""
        return format_time(self.local(value), width, tzinfo=self.zone, locale=self.locale)

    def datetime(self, value: dt.datetime, width: Width = "medium") -> str:
        """The date (`width`) and the time (hours and minutes) joined as the language does:
        `3 may 2025, 21:05` / `May 3, 2025, 9:05 PM`."""
        local = self.local(value)
        pattern = get_datetime_format(width, locale=self.locale)
        return (str(pattern).replace("'", "")
                .replace("{0}", format_time(local, "short", tzinfo=self.zone, locale=self.locale))
                .replace("{1}", format_date(local.date(), width, locale=self.locale)))

    def offset(self, value: dt.datetime) -> str:
        """The offset from UTC of `value` in this zone, as the language writes it: `GMT-05:00`."""
        return get_timezone_gmt(self.local(value), width="long", locale=self.locale)

    def number(self, value: int | float | Decimal) -> str:
        """`1.234,5` / `1,234.5`."""
        return format_decimal(value, locale=self.locale)
