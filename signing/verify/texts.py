"""Texts of the verification report in Spanish or English, outside any request (API, CLI).

They are signing's messages whose keys start with `verify.` (`signing/translations/<lang>/
LC_MESSAGES/messages.po`, read by `signing.i18n`; the pages read the same catalog).
"""

from __future__ import annotations

from signing.i18n import LANGUAGES, catalog, text

__all__ = ["keys", "language_or_default", "text"]


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else LANGUAGES[0]


def keys() -> frozenset[str]:
    return frozenset(key for key in catalog().messages if key.startswith("verify."))
