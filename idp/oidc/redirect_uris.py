"""Redirect URI matching: exact string comparison (RFC 6749 section 3.1.2.3, OAuth 2.0 Security
BCP, RFC 9700 section 2.1), with the one exception of RFC 8252 section 7.3 for native apps:
the port of an `http://127.0.0.1` (or `http://[::1]`) loopback redirect may vary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from idp.oidc.errors import UnsafeRedirect

_LOOPBACK = re.compile(r"http://(127\.0\.0\.1|\[::1\])(?::([0-9]{1,5}))?(/[^?#]*)?(\?[^#]*)?")


def _loopback_parts(uri: str) -> tuple[str, str, str] | None:
    match = _LOOPBACK.fullmatch(uri)
    if match is None:
        return None
    host, port, path, query = match.groups()
    if port is not None and not 0 < int(port) < 65536:
        return None
    return host, path or "/", query or ""


def matches(requested: str, registered: str, *, native: bool) -> bool:
    """True when `requested` is exactly `registered` (or its loopback port variant)."""
    if requested == registered:
        return True
    if not native:
        return False
    wanted = _loopback_parts(registered)
    return wanted is not None and _loopback_parts(requested) == wanted


def select(*, requested: str | None, registered: Iterable[str], application_type: str) -> str:
    """The redirect URI to use for this request, or UnsafeRedirect (never redirect then)."""
    uris = list(registered)
    if not requested:
        # OIDC Core 3.1.2.1: redirect_uri is REQUIRED in OpenID Connect requests.
        raise UnsafeRedirect("redirect_uri is required")
    if len(requested) > 2000 or "#" in requested:
        raise UnsafeRedirect("redirect_uri is not a valid redirect URI")
    native = application_type == "native"
    for uri in uris:
        if matches(requested, uri, native=native):
            # `username` or `password` is not None exactly when the authority holds an "@"
            # (urllib's `_userinfo`): read once, not by the two properties.
            if "@" in urlsplit(requested).netloc:
                raise UnsafeRedirect("redirect_uri must not contain user information")
            return requested
    raise UnsafeRedirect("redirect_uri does not exactly match any redirect URI registered for this client")
