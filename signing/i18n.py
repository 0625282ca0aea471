"""Texts of documents and of document errors in the citizen's language, outside any request.

The texts live in signing's gettext catalogs, `signing/translations/<lang>/LC_MESSAGES/messages.po`
(read by `infra.i18n.Catalog`, which also serves them to the pages). Documents are printed in one
of `LANGUAGES`; the first is the default.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from infra.i18n.catalog import Catalog, translations_dir
from signing.errors import RenderError

LANGUAGES = ("es", "en")
TRANSLATIONS = translations_dir("signing")

_MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def lookup(catalog: Catalog, key: str, language: str, source: Path, params: dict[str, Any]) -> str:
    """The text of `key` in `language` (else the default language), with `{params}` filled in."""
    message = catalog.get(key, language)
    if message is None:
        raise KeyError(f"no message {key!r} in {source}")
    return message.format(**params) if params else message


@cache
def catalog() -> Catalog:
    """signing's messages (documents, document errors, verification), loaded once."""
    return Catalog(list(LANGUAGES)).load_all([TRANSLATIONS])


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise RenderError(f"documents are printed in {' or '.join(LANGUAGES)}, "
                          f"not {language!r}")
    return language


def text(key: str, language: str, /, **params: Any) -> str:
    """The message `key` in `language` (else the default language), with `{params}` filled in."""
    return lookup(catalog(), key, language, TRANSLATIONS, params)


def has_text(key: str) -> bool:
    return key in catalog().messages


def format_date(value: date, language: str) -> str:
    """A date written out: `3 de mayo de 2025`, `3 May 2025`."""
    month = _MONTHS[check_language(language)][value.month - 1]
    if language == "es":
        return f"{value.day} de {month} de {value.year}"
    return f"{value.day} {month} {value.year}"


def format_datetime(value: datetime, language: str) -> str:
    """A date and time with its offset from UTC: `3 de mayo de 2025, 14:05 (UTC+02:00)`."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise RenderError("the issue time must carry its time zone (an aware datetime)")
    offset = value.utcoffset() or timedelta(0)
    zone = "UTC"
    if offset:
        sign = "+" if offset > timedelta(0) else "-"
        minutes = abs(int(offset.total_seconds())) // 60
        zone = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{format_date(value.date(), language)}, {value:%H:%M} ({zone})"
