"""Authorization endpoint parameters (RFC 6749 section 3.1), read the same way wherever an
authorization request arrives (`/authorize`, `/wallet/authorize`): each at most once, each
within its length limit, and a parameter sent without a value treated as omitted."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

# The longest value each parameter may have (characters); any other: DEFAULT_LIMIT.
LIMITS = {"state": 2048, "nonce": 512, "login_hint": 256, "acr_values": 2048, "claims": 8192,
          "scope": 1024, "id_token_hint": 16384, "ui_locales": 256,
          "authorization_details": 8192, "issuer_state": 512}
DEFAULT_LIMIT = 4096


def limit(name: str) -> int:
    return LIMITS.get(name, DEFAULT_LIMIT)


def single(params: Mapping[str, Sequence[str]], name: str, *,
           error: Callable[[str], Exception]) -> str | None:
    """The one value of `name`, or None when absent or empty (RFC 6749 section 3.1: "sent
    without a value MUST be treated as if they were omitted"); `error(description)` is raised
    when it is given more than once or is longer than its limit."""
    values = params.get(name) or []
    if len(values) > 1:
        raise error(f"{name} is given more than once (RFC 6749 section 3.1)")
    value = values[0] if values else None
    if value is not None and len(value) > limit(name):
        raise error(f"{name} is longer than {limit(name)} characters")
    return value if value != "" else None


def without_empty(params: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """`params` without the parameters sent only without a value (RFC 6749 section 3.1: treated
    as omitted), so that a name looked for by its presence (`request`, `request_uri`) is too."""
    return {name: list(values) for name, values in params.items() if any(values)}
