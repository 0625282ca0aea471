"""CORS of the public read-only API routes: one home for their headers.

A route marked `public_read` (the templates list, /openapi.json, a verification code's
look-up) is public data that a page of any site may read in the browser: any origin, no
credentials (no cookie is read), and a simple GET needs no preflight (Fetch standard, CORS).
Its every GET answer carries these headers, its errors included (a 429 and its Retry-After, a
503), or a portal's page could not read why it was refused nor when to ask again; no other
route gets them (`infra.web.errors` applies them to every answer through `readable_anywhere`).

Browser-based public clients (single-page apps) get client-based CORS at /token and /revoke
instead: see `for_client` and `preflight` below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from flask import Response, current_app, request

PUBLIC_READ = {"Access-Control-Allow-Origin": "*",
               "Access-Control-Expose-Headers": "Retry-After, RateLimit, RateLimit-Policy"}

_MARK = "cedula_public_read"
_READS = ("GET", "HEAD")

View = TypeVar("View", bound=Callable[..., object])


def public_read(view: View) -> View:
    """Mark `view` (below its route decorator) as a public read any origin may make."""
    setattr(view, _MARK, True)
    return view


def is_public_read() -> bool:
    """This request is a GET (or HEAD) of a route marked `public_read`."""
    if request.method not in _READS or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, _MARK, False))


def readable_anywhere(response: Response) -> Response:
    """`response` with the public read's CORS headers when this request is one; else unchanged."""
    if is_public_read():
        response.headers.update(PUBLIC_READ)
    return response


# Browser-based public clients (draft-ietf-oauth-browser-based-apps, section 6.3: a single-page
# app that holds its own tokens; node-oidc-provider's clientBasedCORS). The endpoints such a
# client calls itself with a registered client (`/token`, `/revoke`) answer a page's request
# only when its Origin is the origin of one of THAT client's registered redirect URIs, and the
# client is public (`token_endpoint_auth_method: none`, application_type web): a confidential
# client keeps its credentials on its server and is never answered cross-origin there. No
# credentials mode (no cookie is read, so no Access-Control-Allow-Credentials), never a
# wildcard, and `Vary: Origin` on every answer to a request that had an Origin.
BROWSER_CLIENT_METHODS = "POST"
# A form POST is a simple request; DPoP (RFC 9449) makes it preflighted.
BROWSER_CLIENT_HEADERS = "Content-Type, DPoP"
# What a page must read: the DPoP nonce to use (RFC 9449 section 8), a challenge, when to retry.
BROWSER_CLIENT_EXPOSED = "DPoP-Nonce, WWW-Authenticate, Retry-After"
PREFLIGHT_SECONDS = "600"
_DEFAULT_PORTS = {"https": 443, "http": 80}


class HeaderTarget(Protocol):
    """An answer's headers: a dict or werkzeug's `Headers`."""

    def __setitem__(self, name: str, value: str, /) -> None: ...


def origin_of(uri: str) -> str | None:
    """RFC 6454 section 6.2: the ASCII serialisation of `uri`'s origin (scheme, lowercase
    host, port unless it is the scheme's default), as a browser sends it in `Origin`; None for
    anything but http(s) (a private-use scheme's "host" is whatever an app wrote)."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


def browser_client(metadata: Mapping[str, Any]) -> bool:
    """A single-page app's registration: public (no credentials to keep) and a web client."""
    return (metadata.get("token_endpoint_auth_method") == "none"
            and metadata.get("application_type", "web") == "web")


def browser_origins(metadata: Mapping[str, Any]) -> frozenset[str]:
    """The origins a browser client's pages run at: those of its redirect URIs (none for a
    confidential or native client)."""
    if not browser_client(metadata):
        return frozenset()
    found = (origin_of(uri) for uri in metadata.get("redirect_uris", ()) if isinstance(uri, str))
    return frozenset(origin for origin in found if origin is not None)


def for_client(headers: HeaderTarget, origin: str | None,
               metadata: Mapping[str, Any] | None) -> None:
    """Add to `headers` (an answer of /token or /revoke) the CORS headers for a request from
    `origin` by the client registered with `metadata` (None: no client was identified):
    Access-Control-Allow-Origin only when `origin` is one of `browser_origins(metadata)`."""
    if origin is None:
        return
    headers["Vary"] = "Origin"
    if metadata is not None and origin in browser_origins(metadata):
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = BROWSER_CLIENT_EXPOSED


def preflight(*, allow: str, origin: str | None, requested_method: str | None,
              registered: Callable[[str], bool]) -> dict[str, str]:
    """The headers of an OPTIONS answer of /token or /revoke (Fetch standard, CORS-preflight
    fetch): the allowed method and headers only for an `origin` that some browser client
    registered (`registered(origin)`); any other origin gets none and the browser stops there."""
    headers = {"Allow": allow, "Cache-Control": "no-store"}
    if origin is None or requested_method is None:  # not a preflight: a plain OPTIONS
        return headers
    headers["Vary"] = "Origin"
    if requested_method == BROWSER_CLIENT_METHODS and registered(origin):
        headers.update({"Access-Control-Allow-Origin": origin,
                        "Access-Control-Allow-Methods": BROWSER_CLIENT_METHODS,
                        "Access-Control-Allow-Headers": BROWSER_CLIENT_HEADERS,
                        "Access-Control-Max-Age": PREFLIGHT_SECONDS})
    return headers
