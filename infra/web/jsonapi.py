"""Reading JSON request bodies safely: media type, size, shape, and same-origin."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import request

from infra.config import get_settings
from infra.web.errors import ApiError


def require_same_origin() -> None:
    """Refuse a cross-site call: a browser always sends Origin on a cross-origin POST."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin != get_settings().origin:
        raise ApiError(403, "invalid_origin",
                       f"Requests from {origin} are not accepted; use {get_settings().origin}.")


def json_body(*, allow_empty: bool = False) -> dict[str, Any]:
    """The request's JSON object, or a 4xx that says what is wrong with it."""
    require_same_origin()
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type",
                       "Send the body as JSON with Content-Type: application/json.")
    raw = request.get_data(cache=True)
    if not raw.strip():
        if allow_empty:
            return {}
        raise ApiError(400, "invalid_request", "The request body is empty; a JSON object is expected.")
    try:
        value = json.loads(raw, object_pairs_hook=unique_members)
    except DuplicateMember as exc:
        raise ApiError(400, "invalid_request",
                       f"The member {exc.name!r} appears more than once in one object; send each once.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "invalid_request", f"The request body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise ApiError(400, "invalid_request", "The request body is nested too deeply.") from None
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_request",
                       f"The request body must be a JSON object, not {type(value).__name__}.")
    if has_nul(value):
        raise ApiError(400, "invalid_request",
                       "The request body contains a NUL character (\\u0000), which no field accepts.")
    if has_lone_surrogate(value):
        raise ApiError(400, "invalid_request", "The request body contains a lone surrogate (\\ud800 to "
                       "\\udfff), which is not a character and no field accepts.")
    return value


class DuplicateMember(ValueError):
    """A JSON object that names one member twice (RFC 8259 section 4: its meaning is left to each
    parser; RFC 7493 I-JSON section 2.3: must not): refused rather than read as its last value,
    which another reader of the same bytes (a log, a proxy, the agency's own code) may read as the
    first."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`json.loads`'s `object_pairs_hook` for APIs: an object naming a member twice raises
    `DuplicateMember` (RFC 7493 section 2.3) instead of keeping its last value."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise DuplicateMember(name)
            seen.add(name)
    return value


def strings(value: Any) -> Iterator[str]:
    """Every string of a decoded JSON value, member names included (depth-first, no recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def is_lone_surrogate_free(text: str) -> bool:
    """Whether UTF-8 can carry `text` (no lone surrogate, U+D800 to U+DFFF)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def has_lone_surrogate(value: Any) -> bool:
    """Whether a decoded JSON value holds a lone surrogate (U+D800 to U+DFFF) in a string or a
    member name: JSON's escapes allow "\\ud800", which is not a character; UTF-8 cannot carry
    it, so no database driver can be sent it (a lookup would fail with a server error)."""
    return not all(is_lone_surrogate_free(text) for text in strings(value))


def has_nul(value: Any) -> bool:
    """Whether a decoded JSON value holds U+0000 anywhere (PostgreSQL text cannot store it)."""
    return any("\x00" in text for text in strings(value))
