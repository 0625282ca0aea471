"""Texts of the verification report in Spanish or English, outside any request (API, CLI).

They live in `signing/verify/messages.toml` (the format of `infra/web/i18n.py`, which also loads
them for the pages); keys start with `verify.`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from signing.i18n import LANGUAGES, load_messages, lookup

MESSAGES = Path(__file__).with_name("messages.toml")


@cache
def _messages() -> dict[str, dict[str, str]]:
    return load_messages(MESSAGES)


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else LANGUAGES[0]


def text(key: str, language: str, /, **params: Any) -> str:
    """The message `key` in `language` (else Spanish), with `{params}` filled in."""
    return lookup(_messages(), key, language, MESSAGES, params)


def keys() -> frozenset[str]:
    return frozenset(_messages())
