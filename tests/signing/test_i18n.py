"""Document texts: complete in every language, loadable with the pages' catalog."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import signing
from infra.i18n import Formats
from infra.web.i18n import Catalog, catalog_files
from signing.errors import RenderError
from signing.i18n import LANGUAGES, TRANSLATIONS, format_date, format_datetime, text


def test_the_pages_catalog_loads_the_document_texts_and_none_lacks_a_language():
    catalog = Catalog(list(LANGUAGES))
    for path in catalog_files(("signing",)):
        catalog.load(path)
    assert catalog_files(("signing",)) == [TRANSLATIONS]
    assert catalog.get("documents.residence.title", "en") == "Certificate of residence"
    assert [m for m in catalog.missing() if m.startswith("documents.")] == []


def test_dates_are_written_out_in_the_language_by_babel_as_on_the_pages():
    assert format_date(date(2025, 5, 3), "es") == "3 de mayo de 2025"
    assert format_date(date(2025, 5, 3), "en") == "May 3, 2025"
    when = datetime(2025, 5, 3, 14, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert format_datetime(when, "es") == "3 de mayo de 2025, 14:05 (GMT-05:00)"
    assert format_datetime(when.astimezone(UTC), "en") == "May 3, 2025, 7:05\u00a0PM (GMT+00:00)"
    # The same CLDR formatting as the pages' |date filter, not a second hand-written one.
    for language in LANGUAGES:
        assert format_date(date(1990, 5, 17), language) == Formats.of(language).date(date(1990, 5, 17))


def test_no_month_names_are_written_by_hand_in_signing():
    sources = Path(signing.__file__).parent.rglob("*.py")
    assert [str(p) for p in sources if "septiembre" in p.read_text(encoding="utf-8")] == []


def test_a_time_without_zone_or_an_unknown_language_is_refused():
    with pytest.raises(RenderError, match="must carry its time zone"):
        format_datetime(datetime(2025, 5, 3, 14, 5), "es")
    with pytest.raises(RenderError, match="documents are printed in es or en, not 'fr'"):
        format_date(date(2025, 5, 3), "fr")


def test_texts_take_their_parameters():
    assert text("documents.render.page", "es", number=1, total=3) == "Página 1 de 3"
