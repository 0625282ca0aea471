"""The name a citizen sees for an agency on the sign-in, account-choice and consent pages:
never its client_id (a random string that tells a citizen nothing and looks like an error).

The registered `client_name` in the citizen's language (OIDC Registration section 2.1, via
clients.registry.localized), else the name it registered in another language (the default
language's first), else the host of its site (`client_uri`), else the host of its first
redirect URI (a native app's private-use scheme, `com.example.app`, when it has no host),
else "an agency without a registered name" in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from clients.registry import Client, localized
from clients.registry.localized import pick, split_key
from infra.web.i18n import gettext as _


def _host(uri: object) -> str | None:
    if not isinstance(uri, str):
        return None
    try:
        parts = urlsplit(uri.strip())
    except ValueError:
        return None
    if parts.scheme in ("http", "https"):
        return parts.hostname or None
    return parts.scheme or None  # RFC 8252 section 7.1: a reverse domain name


def _named(metadata: Mapping[str, Any], language: str | None, fallbacks: Sequence[str]) -> str | None:
    variants = {tag or "": value.strip() for key, value in metadata.items()
                for name, tag in [split_key(key)] if name == "client_name" and isinstance(value, str) and value.strip()}
    if not variants:
        return None
    for locale in (language, *fallbacks):
        chosen = pick(variants, locale)
        if chosen:
            return chosen
    return variants[sorted(variants)[0]]


def shown_name(client: Client, language: str | None, *, fallbacks: Sequence[str] = ("es", "en")) -> str:
    """The agency's name for a citizen reading `language` (module docstring); `fallbacks`: the
    languages whose registered name comes next, in order."""
    metadata = client.client_metadata
    named = _named(metadata, language, fallbacks)
    if named:
        return named
    site = _host(localized(metadata, "client_uri", language))
    if site:
        return site
    for uri in metadata.get("redirect_uris") or []:
        host = _host(uri)
        if host:
            return host
    return _("oidc.agency.unnamed")
