"""Texts of documents and of document errors in the citizen's language, outside any request.

The texts live in `signing/messages.toml` (the format of `infra/web/i18n.py`, which also loads
them for pages). Documents are printed in one of `LANGUAGES`; the first is the default.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from signing.errors import RenderError

LANGUAGES = ("es", "en")
MESSAGES = Path(__file__).with_name("messages.toml")

_MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def load_messages(path: Path) -> dict[str, dict[str, str]]:
    """A `messages.toml` file as {key: {language: text}} (nested tables joined with dots)."""
    with path.open("rb") as fh:
        tree = tomllib.load(fh)
    flat: dict[str, dict[str, str]] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        if node and all(isinstance(v, str) for v in node.values()):
            flat[prefix] = node
            return
        for key, value in node.items():
            walk(value, f"{prefix}.{key}" if prefix else key)

    walk(tree, "")
    return flat


def lookup(messages: dict[str, dict[str, str]], key: str, language: str, source: Path,
           params: dict[str, Any]) -> str:
    """The text of `key` in `language` (else the default language), with `{params}` filled in."""
    texts = messages.get(key)
    if texts is None:
        raise KeyError(f"no message {key!r} in {source}")
    message = texts.get(language) or texts[LANGUAGES[0]]
    return message.format(**params) if params else message


@cache
def _messages() -> dict[str, dict[str, str]]:
    return load_messages(MESSAGES)


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise RenderError(f"documents are printed in {' or '.join(LANGUAGES)}, "
                          f"not {language!r}")
    return language


def text(key: str, language: str, /, **params: Any) -> str:
    """The message `key` in `language` (else the default language), with `{params}` filled in."""
    return lookup(_messages(), key, language, MESSAGES, params)


def has_text(key: str) -> bool:
    return key in _messages()


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
