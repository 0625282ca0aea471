"""Texts of the verification report in Spanish or English, outside any request (API, CLI).

They are signing's messages whose keys start with `verify.` (`signing/translations/<lang>/
LC_MESSAGES/messages.po`, read by `signing.i18n`; the pages read the same catalog).
"""

from __future__ import annotations

from typing import Any

from signing.i18n import LANGUAGES, TRANSLATIONS, catalog, lookup


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else LANGUAGES[0]


def text(key: str, language: str, /, **params: Any) -> str:
    """The message `key` in `language` (else Spanish), with `{params}` filled in."""
    return lookup(catalog(), key, language, TRANSLATIONS, params)


def keys() -> frozenset[str]:
    return frozenset(key for key in catalog().messages if key.startswith("verify."))
