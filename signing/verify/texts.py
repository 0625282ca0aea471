"""Texts of the verification report in Spanish or English, outside any request (API, CLI).

They live in `signing/verify/messages.toml` (the format of `idp/web/i18n.py`, which also loads
them for the pages); keys start with `verify.`.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("es", "en")
MESSAGES = Path(__file__).with_name("messages.toml")


@cache
def _messages() -> dict[str, dict[str, str]]:
    with MESSAGES.open("rb") as fh:
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


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else LANGUAGES[0]


def text(key: str, language: str, /, **params: Any) -> str:
    """The message `key` in `language` (else Spanish), with `{params}` filled in."""
    texts = _messages().get(key)
    if texts is None:
        raise KeyError(f"no message {key!r} in {MESSAGES}")
    message = texts.get(language) or texts[LANGUAGES[0]]
    return message.format(**params) if params else message


def keys() -> frozenset[str]:
    return frozenset(_messages())
