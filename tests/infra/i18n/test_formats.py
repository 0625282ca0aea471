"""Dates, times and numbers by CLDR (Babel), in a language and a time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from infra.i18n import Formats, UnknownZone, zone

MOMENT = datetime(2025, 5, 3, 19, 5, tzinfo=UTC)


def test_a_date_is_written_out_in_each_language():
    assert Formats.of("es").date(date(1990, 5, 17)) == "17 de mayo de 1990"
    assert Formats.of("en").date(date(1990, 5, 17)) == "May 17, 1990"
    assert Formats.of("es").date(date(1990, 5, 17), "medium") == "17 may 1990"


def test_a_moment_is_shown_in_the_readers_time_zone():
    assert Formats.of("es", "America/El_Salvador").datetime(MOMENT) == "3 may 2025, 13:05"
    assert Formats.of("es", "Europe/Madrid").datetime(MOMENT) == "3 may 2025, 21:05"
    assert Formats.of("en", "Europe/Madrid").datetime(MOMENT) == "May 3, 2025, 9:05\u202fPM"
    assert Formats.of("en", "Europe/Madrid").time(MOMENT) == "9:05\u202fPM"


def test_the_local_date_of_a_moment_is_the_readers_day():
    late = datetime(2025, 5, 3, 2, 30, tzinfo=UTC)  # still 2 May in San Salvador
    assert Formats.of("es", "America/El_Salvador").date(late) == "2 de mayo de 2025"
    assert Formats.of("es", "Asia/Tokyo").date(late) == "3 de mayo de 2025"


def test_a_time_without_zone_is_utc():
    naive = MOMENT.replace(tzinfo=None)  # as SQLite gives it back
    assert Formats.of("es", "Europe/Madrid").datetime(naive) == "3 may 2025, 21:05"


def test_the_offset_is_written_as_the_language_does():
    assert Formats.of("es", "America/El_Salvador").offset(MOMENT) == "GMT-06:00"
    assert Formats.of("es", timezone(timedelta(hours=2))).offset(MOMENT) == "GMT+02:00"


def test_a_month_is_named_in_each_language():
    assert Formats.of("es").month(date(2025, 5, 1)) == "mayo de 2025"
    assert Formats.of("en").month(date(2025, 5, 1)) == "May 2025"


def test_numbers_use_the_languages_separators():
    assert Formats.of("es").number(12345.5) == "12.345,5"
    assert Formats.of("en").number(12345.5) == "12,345.5"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "", "UTC\x00"])
def test_only_names_of_the_iana_database_are_zones(name):
    with pytest.raises(UnknownZone, match="unknown time zone"):
        zone(name)


def test_a_language_without_cldr_data_is_refused():
    with pytest.raises(ValueError, match="no CLDR data for language 'xx-nope'"):
        Formats.of("xx-nope")
