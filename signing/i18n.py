"""Texts of documents and of document errors in the citizen's language, outside any request.

The texts live in signing's gettext catalogs, `signing/translations/<lang>/LC_MESSAGES/messages.po`
(read by `infra.i18n.Catalog`, which also serves them to the pages). Documents are printed in one
of `LANGUAGES`; the first is the default.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from infra.i18n import Catalog, Formats, translations_dir
from signing.errors import RenderError

LANGUAGES = ("es", "en")
TRANSLATIONS = translations_dir("signing")

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
    """A date written out as the language does (CLDR, the pages' `|date`): `3 de mayo de 2025`,
    `May 3, 2025`."""
    return Formats.of(check_language(language)).date(value, "long")


def format_datetime(value: datetime, language: str) -> str:
    """A date and time in the time zone it carries, with its offset from UTC:
    `3 de mayo de 2025, 14:05 (GMT-05:00)`, `May 3, 2025, 7:05 PM (GMT+00:00)`."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise RenderError("the issue time must carry its time zone (an aware datetime)")
    formats = Formats.of(check_language(language), value.tzinfo)
    # CLDR puts a narrow no-break space (U+202F) before AM/PM; the embedded Noto Sans has no glyph
    # for it, so the document prints the no-break space it has.
    return f"{formats.datetime(value, 'long')} ({formats.offset(value)})".replace("\u202f", "\u00a0")
