"""Human-readable client metadata in several languages: OIDC Dynamic Client Registration 1.0
section 2.1 (RFC 7591 section 2.2): `client_name#en`, `logo_uri#es`, ...

The one home for choosing the value a citizen sees: `localized(metadata, field, locale)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")


class Tagged(str):
    """Agency-provided text that knows its language: `lang` is the BCP 47 tag it was registered
    under (`client_name#en` -> "en"), or None for an untagged value (`client_name`), whose
    language the operator's `i18n.untagged_language` tells (WCAG 2.2 SC 3.1.2, language of
    parts: pages mark it with the `lang_of`/`in_lang` filters of infra.web.lang_parts when it is
    not the page's). A plain str everywhere else."""

    lang: str | None

    def __new__(cls, value: str, lang: str | None = None) -> Tagged:
        made = super().__new__(cls, value)
        made.lang = lang or None
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (Tagged, (str(self), self.lang))

# The fields an agency may give per language (OIDC Registration section 2.1 lists the
# human-readable ones; `purpose` is Cédula's own and follows the same rule).
LOCALIZABLE = ("client_name", "purpose", "logo_uri", "client_uri", "policy_uri", "tos_uri")
# At most this many language-tagged variants of one field.
MAX_TAGS = 20
# BCP 47 (RFC 5646) language tags, loosely: a 2-3 letter language, then subtags of 1-8
# letters or digits (script, region, variant). Enough to match them; not a registry check.
_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# The languages whose registered agency name comes next when there is none in the reader's
# (`shown_name`): the default language's first.
DEFAULT_FALLBACKS = ("es", "en")


def split_key(key: str) -> tuple[str, str | None]:
    """`client_name#en` -> ("client_name", "en"); `client_name` -> ("client_name", None)."""
    field, sep, tag = key.partition("#")
    return field, (tag if sep else None)


def valid_tag(tag: str) -> bool:
    return len(tag) <= 35 and _TAG.fullmatch(tag) is not None


def pick(variants: Mapping[str, T], locale: str | None) -> T | None:
    """The variant for `locale` (a BCP 47 tag such as "es" or "en-GB") among `variants` keyed by
    language tag ("" for the untagged one): the exact tag, then the same primary language (`en`
    for `en-GB`, `es-419` for `es`), then the untagged one (OIDC Registration section 2.1: used
    when no language matches). Tags compare case-insensitively (RFC 5646 section 2.1.1)."""
    by_tag = {tag.lower(): value for tag, value in variants.items()}
    if locale:
        wanted = locale.replace("_", "-").lower()
        primary = wanted.split("-")[0]
        for tag in (wanted, primary, *sorted(t for t in by_tag if t and t.split("-")[0] == primary)):
            if tag and tag in by_tag:
                return by_tag[tag]
    return by_tag.get("")


def pick_tagged(variants: Mapping[str, str], locale: str | None) -> Tagged | None:
    """`pick`, the value carrying the tag it was registered under (`Tagged`)."""
    chosen = pick({tag: (tag, value) for tag, value in variants.items()}, locale)
    return Tagged(chosen[1], chosen[0]) if chosen is not None else None


def localized(metadata: Mapping[str, Any], field: str, locale: str | None) -> Tagged | None:
    """The value of `field` a reader of `locale` sees: `field#<tag>` or `field` (see `pick`),
    carrying its language (`Tagged`)."""
    variants = {tag or "": value for key, value in metadata.items()
                for name, tag in [split_key(key)] if name == field and isinstance(value, str)}
    return pick_tagged(variants, locale)


def recognised(metadata: Mapping[str, Any], field: str, text: str | None) -> str | None:
    """`text`, a snapshot of `field` a page showed earlier and stored (a consent's purpose), as
    `Tagged` with the tag of the registered variant that reads exactly so; as given when none
    does (the agency has changed it since: its language is unknown, the page's is assumed)."""
    if not text:
        return text
    tags = sorted((tag or "" for key, value in metadata.items()
                   for name, tag in [split_key(key)] if name == field and value == text), key=lambda t: (not t, t))
    return Tagged(text, tags[0]) if tags else text


def _host(uri: object) -> str | None:
    """The host of an http(s) URI; a native app's private-use scheme (RFC 8252 section 7.1: a
    reverse domain name, `com.example.app`) for another URI; None for no URI."""
    if not isinstance(uri, str):
        return None
    try:
        parts = urlsplit(uri.strip())
    except ValueError:
        return None
    if parts.scheme in ("http", "https"):
        return parts.hostname or None
    return parts.scheme or None


def _registered_name(metadata: Mapping[str, Any], locale: str | None, fallbacks: Sequence[str]) -> Tagged | None:
    variants = {tag or "": value.strip() for key, value in metadata.items()
                for name, tag in [split_key(key)] if name == "client_name" and isinstance(value, str) and value.strip()}
    if not variants:
        return None
    for language in (locale, *fallbacks):
        chosen = pick_tagged(variants, language)
        if chosen:
            return chosen
    first = sorted(variants)[0]
    return Tagged(variants[first], first)


def shown_name(metadata: Mapping[str, Any], locale: str | None, *,
               fallbacks: Sequence[str] = DEFAULT_FALLBACKS) -> str | None:
    """The one rule for the name a citizen sees for an agency (never its client_id, a random
    string that tells a citizen nothing): the registered `client_name` in `locale` (see `pick`),
    else the name it registered in another language (`fallbacks` first, in order, then any),
    else the host of its site (`client_uri`), else the host of its first redirect URI that has
    one. None when it has none of these (each caller words that case)."""
    named = _registered_name(metadata, locale, fallbacks)
    if named:
        return named
    site = _host(localized(metadata, "client_uri", locale))
    if site:
        return site
    for uri in metadata.get("redirect_uris") or []:
        host = _host(uri)
        if host:
            return host
    return None


def agency_name(client: Any, locale: str | None) -> str:
    """The agency's name as a citizen reading `locale` sees it (`shown_name`); its client_id
    only if it has no name, site or redirect URI host at all."""
    return name_in(client.client_metadata, client_id=client.client_id, locale=locale)


def name_in(metadata: Mapping[str, Any], *, client_id: str, locale: str | None) -> str:
    """`agency_name` of the agency `client_id` registered with `metadata`."""
    return shown_name(metadata, locale) or client_id
