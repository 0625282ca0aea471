"""Client metadata rules: RFC 7591 section 2, OIDC Dynamic Client Registration 1.0 section 2,
RFC 8252 (native apps) and OIDC Back-Channel / RP-Initiated Logout metadata.

`validate_metadata` turns what an agency (or an operator) asked for into the metadata the
provider will enforce, or raises `ClientMetadataError` naming the field and the rule.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from clients.registry.localized import LOCALIZABLE, MAX_TAGS, split_key, valid_tag
from infra.jws_algorithms import registered_name
from infra.web.error_shape import FieldError

AUTH_METHODS = ("private_key_jwt", "client_secret_basic", "client_secret_post", "none")
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
ID_TOKEN_ALGS = ("ES256", "RS256")
SUBJECT_TYPES = ("pairwise", "public")
APPLICATION_TYPES = ("web", "native")

DEFAULT_SCOPES = ("openid", "profile", "email", "offline_access")
# Scopes only an operator can grant (never through dynamic registration without an initial
# access token that carries them).
RESTRICTED_SCOPES = ("national_id", "documents:issue", "indicators:read")
# Restricted scopes an agency uses through the client credentials grant (no citizen involved).
AGENCY_SCOPES = ("documents:issue", "indicators:read")
KNOWN_SCOPES = DEFAULT_SCOPES + RESTRICTED_SCOPES

_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
# How many entries each array may hold: generous for any real portal, and a bound on what one
# registration makes the provider store, check and match on every request.
MAX_ITEMS = {"redirect_uris": 20, "post_logout_redirect_uris": 20, "contacts": 10, "jwks": 10,
             "grant_types": 10, "response_types": 10, "default_acr_values": 10}
MAX_CONTACT_LENGTH = 320  # an e-mail address (RFC 5321 section 4.5.3.1)
_TEXT_FIELDS = {"client_name": 200, "purpose": 500, "software_id": 200, "software_version": 100}
_URL_FIELDS = ("client_uri", "logo_uri", "policy_uri", "tos_uri")
SECURITY_PROFILES = ("fapi2", "oidc")
# `max_assurance_level`: the highest level of assurance the client may ask for (acr_values or
# an essential acr claim). Level high is for FAPI 2.0 clients: asking for it at registration
# brings the profile, as a restricted scope does. Absent: high for FAPI 2.0 clients,
# substantial for the others (idp.oidc.fapi.max_level).
ASSURANCE_LEVELS = ("low", "substantial", "high")
SIGNING_ALGS = ("ES256", "ES384", "RS256", "PS256", "EdDSA")
FAPI_ALGS = ("ES256", "PS256")
# Boolean metadata: OIDC Registration (require_auth_time), RFC 9126 section 6
# (require_pushed_authorization_requests), RFC 9449 section 5.2 (dpop_bound_access_tokens),
# RFC 9101 section 10 (require_signed_request_object, enforced by idp.oidc.request).
_FLAGS = ("require_auth_time", "require_pushed_authorization_requests", "dpop_bound_access_tokens",
          "require_signed_request_object")
# Members for answers this provider never signs or encrypts, and for encrypted request objects
# it cannot read (OIDC Registration section 2, JARM section 3, RFC 9701 section 6): discovery
# advertises no such algorithm. Refused, not dropped: a portal relying on one would otherwise
# read plain answers (RFC 7591 section 2 lets a server refuse what it does not support).
_ENCRYPTION = "this provider encrypts no answer and reads no encrypted request object"
UNSUPPORTED_MEMBERS = {
    "userinfo_signed_response_alg": "userinfo answers are plain JSON, never signed",
    **{f"{prefix}_{part}": _ENCRYPTION
       for prefix in ("userinfo_encrypted_response", "id_token_encrypted_response", "request_object_encryption",
                      "authorization_encrypted_response", "introspection_encrypted_response")
       for part in ("alg", "enc")},
}

# Members for features this provider does not offer (discovery advertises neither
# tls_client_certificate_bound_access_tokens nor frontchannel_logout_supported): refused, not
# dropped, with what to use instead; a portal relying on one would get bearer tokens (RFC 8705
# section 3.4) or wait for logout calls that never come (Front-Channel Logout 1.0 section 2).
_FRONT_CHANNEL = ("front-channel logout is not offered; register a backchannel_logout_uri "
                  "(OpenID Connect Back-Channel Logout 1.0) instead")
UNOFFERED_MEMBERS = {
    "tls_client_certificate_bound_access_tokens": "certificate-bound access tokens (RFC 8705) are not offered; "
                                                  "register dpop_bound_access_tokens true (RFC 9449) to bind "
                                                  "tokens to a key of yours",
    "frontchannel_logout_uri": _FRONT_CHANNEL,
    "frontchannel_logout_session_required": _FRONT_CHANNEL,
    # OIDC Registration 2 / Core 4: Cédula lists no portals and never starts a sign-in at one.
    "initiate_login_uri": "third-party-initiated login (OpenID Connect Core 1.0 section 4) is not offered: "
                          "Cédula never starts a sign-in at your portal; your portal sends the citizen "
                          "to the authorization endpoint itself, so leave it out",
    # OIDC Registration 2 / Core 6.2: discovery says request_uri_parameter_supported false; only
    # the request_uri of the PAR endpoint (RFC 9126) is taken, none is fetched from a portal.
    "request_uris": "request objects by reference are not offered (request_uri_parameter_supported is false): "
                    "Cédula fetches no request object from your server; push the request to the "
                    "pushed_authorization_request_endpoint (RFC 9126) and send its request_uri, or send the "
                    "signed request object by value as request (RFC 9101), and leave request_uris out",
}


class ClientMetadataError(FieldError):
    """RFC 7591 section 3.2.2: `invalid_redirect_uri` or `invalid_client_metadata`."""

    error = "invalid_client_metadata"


@dataclass(frozen=True)
class Permissions:
    """What the registering party may ask for beyond the defaults."""

    operator: bool = False
    extra_scopes: tuple[str, ...] = ()
    # The embedded demo (oidc.fapi_loopback_redirects, loopback issuer only): FAPI 2.0 clients
    # may have http redirect URIs on this machine.
    loopback_redirects: bool = False

    def allows_scope(self, scope: str) -> bool:
        return scope in DEFAULT_SCOPES or self.operator or scope in self.extra_scopes


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host in _LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# A host name (letters, digits, hyphens, underscores, in dot-separated labels; an
# internationalised name in its punycode form), as urlsplit's `hostname` gives it.
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")


def _uri_characters(field: str, value: str, *, error: str) -> None:
    """RFC 3986: a URI is printable ASCII without spaces (an IRI's other characters are
    percent-encoded). The origin of a registered URI goes into the Content-Security-Policy of
    the provider's pages: nothing in it may end a directive or leave ASCII."""
    if not value.isascii() or any(ch <= " " or ch == "\x7f" for ch in value):
        raise ClientMetadataError(field, f"{value!r} is not a URI: use printable ASCII without spaces "
                                  "(percent-encode other characters, write an international host name "
                                  "in its xn-- form)", error=error)


def _host_ok(host: str) -> bool:
    if _HOST_NAME.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _absolute_url(field: str, value: Any, *, https_only: bool = True,
                  error: str = "invalid_client_metadata") -> str:
    if not isinstance(value, str) or not value:
        raise ClientMetadataError(field, "must be a non-empty string URL", error=error)
    if len(value) > 2000:
        raise ClientMetadataError(field, "is longer than 2000 characters", error=error)
    _uri_characters(field, value, error=error)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ClientMetadataError(field, f"{value!r} is not a valid URL", error=error) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ClientMetadataError(field, f"{value!r} must be an absolute http(s) URL", error=error)
    if not _host_ok(parts.hostname):
        raise ClientMetadataError(field, f"{value!r}: {parts.hostname!r} is not a host name or IP address",
                                  error=error)
    if parts.scheme == "http" and https_only and not _is_loopback(parts.hostname):
        raise ClientMetadataError(field, f"{value!r} must use https (http only for localhost)", error=error)
    if parts.fragment or "#" in value:
        raise ClientMetadataError(field, f"{value!r} must not contain a fragment", error=error)
    if parts.username is not None or parts.password is not None:
        raise ClientMetadataError(field, f"{value!r} must not contain user information", error=error)
    return value


def _redirect_uri(value: Any, application_type: str) -> str:
    """RFC 6749 section 3.1.2, OIDC Registration section 2 (application_type), RFC 8252 section 7."""
    field = "redirect_uris"
    if not isinstance(value, str) or not value:
        raise ClientMetadataError(field, "each entry must be a non-empty string", error="invalid_redirect_uri")
    if any(ch.isspace() for ch in value) or len(value) > 2000:
        raise ClientMetadataError(field, f"{value!r} is not a valid URI", error="invalid_redirect_uri")
    _uri_characters(field, value, error="invalid_redirect_uri")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ClientMetadataError(field, f"{value!r} is not a valid URI", error="invalid_redirect_uri") from None
    if "#" in value:
        raise ClientMetadataError(field, f"{value!r} must not contain a fragment", error="invalid_redirect_uri")
    if "*" in value:
        raise ClientMetadataError(field, f"{value!r}: wildcards are not allowed", error="invalid_redirect_uri")
    if application_type == "native":
        if parts.scheme == "https":
            return _absolute_url(field, value, error="invalid_redirect_uri")
        if parts.scheme == "http":
            # RFC 8252 section 7.3: loopback IP literal; section 8.3: not "localhost".
            if parts.hostname not in ("127.0.0.1", "::1"):
                raise ClientMetadataError(field, f"{value!r}: native apps use http only with 127.0.0.1 or [::1]",
                                          error="invalid_redirect_uri")
            return _absolute_url(field, value, https_only=False, error="invalid_redirect_uri")
        # RFC 8252 section 7.1: private-use scheme, reverse domain name with a dot.
        if not parts.scheme or "." not in parts.scheme:
            raise ClientMetadataError(field, f"{value!r}: a private-use scheme must be a reverse domain name",
                                      error="invalid_redirect_uri")
        if parts.netloc:
            # Its origin goes into the consent page's Content-Security-Policy as a web one does:
            # an authority, if any (RFC 8252 uses none: "com.example.app:/cb"), is a host name.
            try:
                parts.port  # noqa: B018 - raises ValueError on a bad port
            except ValueError:
                raise ClientMetadataError(field, f"{value!r} is not a valid URI",
                                          error="invalid_redirect_uri") from None
            if parts.username is not None or parts.password is not None:
                raise ClientMetadataError(field, f"{value!r} must not contain user information",
                                          error="invalid_redirect_uri")
            if not parts.hostname or not _host_ok(parts.hostname):
                raise ClientMetadataError(field, f"{value!r}: {parts.hostname!r} is not a host name or IP address",
                                          error="invalid_redirect_uri")
        return value
    return _absolute_url(field, value, error="invalid_redirect_uri")


def _count(field: str, value: list[Any], *, error: str = "invalid_client_metadata") -> None:
    limit = MAX_ITEMS[field]
    if len(value) > limit:
        raise ClientMetadataError(field, f"has {len(value)} entries; at most {limit} are accepted", error=error)


def _string_list(field: str, value: Any, allowed: tuple[str, ...] | None = None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ClientMetadataError(field, "must be an array of strings")
    _count(field, value)
    if allowed is not None:
        for item in value:
            if item not in allowed:
                raise ClientMetadataError(field, f"{item!r} is not supported; use one of {', '.join(allowed)}")
    return list(dict.fromkeys(value))


def _jwks(value: Any) -> dict[str, Any]:
    """RFC 7517 section 5: a JWK Set with public keys only."""
    if not isinstance(value, Mapping) or not isinstance(value.get("keys"), list) or not value["keys"]:
        raise ClientMetadataError("jwks", 'must be a JWK Set: {"keys": [...]} with at least one key')
    _count("jwks", value["keys"])
    for key in value["keys"]:
        if not isinstance(key, Mapping) or key.get("kty") not in ("EC", "RSA", "OKP"):
            raise ClientMetadataError("jwks", "every key needs kty EC, RSA or OKP")
        if any(private in key for private in ("d", "p", "q", "dp", "dq", "qi", "k")):
            raise ClientMetadataError("jwks", "contains private key material; publish public keys only")
        needed = _PUBLIC_MEMBERS[key["kty"]]
        if not all(isinstance(key.get(name), str) and key[name] for name in needed):
            raise ClientMetadataError("jwks", f"every {key['kty']} key needs its public members "
                                      f"{', '.join(needed)} (RFC 7518 section 6)")
    return {"keys": [dict(k) for k in value["keys"]]}


def _alg_of_keys(jwks: Mapping[str, Any] | None) -> str:
    """The assertion algorithm of a private_key_jwt client that names none: the one its keys
    sign with (each key's `alg`, else its type: RFC 7518 section 3.1, RFC 8037 section 3.1),
    when they all agree; ES256 otherwise (keys at a jwks_uri, or of several types). An RSA key
    registered without the algorithm was held to ES256 and every assertion it signed refused."""
    algs = {registered_name(key.get("alg")) or _KEY_ALGS.get((key["kty"], key.get("crv")))
            for key in (jwks or {}).get("keys", []) if key.get("use") != "enc"}
    if len(algs) == 1 and (alg := algs.pop()) in SIGNING_ALGS:
        return alg
    return "ES256"


_KEY_ALGS = {("EC", "P-256"): "ES256", ("EC", "P-384"): "ES384", ("RSA", None): "RS256", ("OKP", "Ed25519"): "EdDSA"}


# RFC 7518 section 6.2.1 (EC), 6.3.1 (RSA); RFC 8037 section 2 (OKP).
_PUBLIC_MEMBERS = {"EC": ("crv", "x", "y"), "RSA": ("n", "e"), "OKP": ("crv", "x")}


# Never in a name: the bidirectional embeddings, overrides and isolates (Unicode UAX #9),
# and the line and paragraph separators; control characters (category Cc) neither.
_JOINERS = frozenset("\u200c\u200d")
_UNSHOWN = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def _printable(field: str, value: str, *, line_breaks: bool = False) -> None:
    """A text the provider shows (citizens' pages, the operator's console, `cedula clients
    list`, one tab-separated line per client) holds no control character: a line feed and
    tabs forged a row of that list, terminal escapes rewrote the operator's screen, and a
    bidirectional override shows a name reversed. `line_breaks`: a text of several lines (the
    purpose, typed in the operator's textarea) may break its lines."""
    allowed = "\r\n" if line_breaks else ""
    if any((unicodedata.category(ch) == "Cc" and ch not in allowed) or ch in _UNSHOWN for ch in value):
        raise ClientMetadataError(field, "must not contain control characters (line breaks, tabs, "
                                  "terminal escapes) or bidirectional overrides")
    # Invisible format characters (category Cf: zero-width spaces, the right-to-left and
    # left-to-right marks, soft hyphens, tag characters): a name that shows the same as another
    # one, or the provider's, yet compares different. The zero-width joiner and non-joiner stay
    # (emoji sequences, Arabic and Indic scripts need them).
    if any(unicodedata.category(ch) == "Cf" and ch not in _JOINERS for ch in value) \
            or _shows_nothing(value):
        raise ClientMetadataError(field, "must not contain invisible characters (zero-width spaces, "
                                  "direction marks, soft hyphens, fillers, stacked marks)")


# Letters and marks that show nothing (Unicode's Default_Ignorable_Code_Point that are not Cf,
# and the fillers UTS #39 lists as confusable with a space): the Hangul fillers, the braille
# blank, the combining grapheme joiner, Khmer's inherent vowels, the Mongolian free variation
# selectors. "Agencia\u3164Tributaria" shows as another agency's name and compares different.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180b\u180c\u180d\u180f")
_EMOJI_STYLE = frozenset("\ufe0e\ufe0f")  # text or emoji presentation, after a symbol
MAX_MARKS = 4  # combining marks on one letter: Vietnamese needs two, Indic scripts a few


def _shows_nothing(value: str) -> bool:
    """Whether `value` holds a character that shows nothing (`_BLANK`, a variation selector
    that selects nothing: any but the emoji ones after a symbol), or more than `MAX_MARKS`
    combining marks on one character, a stack that paints over the lines around it."""
    marks = 0
    previous = "\x00"
    for ch in value:
        selects_nothing = ("\ufe00" <= ch <= "\ufe0f" and not (
            ch in _EMOJI_STYLE and unicodedata.category(previous) == "So")) \
            or "\U000e0100" <= ch <= "\U000e01ef"
        if ch in _BLANK or selects_nothing:
            return True
        marks = marks + 1 if unicodedata.category(ch) in ("Mn", "Me") else 0
        if marks > MAX_MARKS:
            return True
        previous = ch
    return False


PROVIDER_NAME = "Cédula"
# Letters of other scripts (and digits) shown like the Latin ones of the provider's name.
_LOOKALIKES = str.maketrans({"с": "c", "ϲ": "c", "ⅽ": "c", "е": "e", "ҽ": "e", "ε": "e", "ԁ": "d",
                             "ⅾ": "d", "ս": "u", "υ": "u", "μ": "u", "ӏ": "l", "ι": "l", "і": "l",
                             "1": "l", "|": "l", "ı": "l", "i": "l", "а": "a", "α": "a", "ɑ": "a"})


def _skeleton(value: str) -> str:
    """`value` as a reader sees it: compatibility forms folded, accents dropped, case folded,
    look-alike letters of other scripts read as the Latin ones, everything but letters gone."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))
    return "".join(ch for ch in folded.casefold().translate(_LOOKALIKES) if "a" <= ch <= "z")


def names_the_provider(value: str) -> bool:
    """Whether a name reads as the provider's own ("Cédula", "CEDULA", "Cеdula" with a
    Cyrillic е, "Cé dula"): a citizen on the consent, signing or sign-out page would take the
    agency for the provider itself."""
    return _skeleton(PROVIDER_NAME).translate(_LOOKALIKES) in _skeleton(value)


def _text(field: str, value: Any) -> str:
    limit = _TEXT_FIELDS[field]
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ClientMetadataError(field, f"must be text of 1 to {limit} characters")
    _printable(field, value, line_breaks=field == "purpose")
    return value.strip()


def _language_tagged(requested: Mapping[str, Any]) -> dict[str, str]:
    """OIDC Registration section 2.1: `client_name#en`, `logo_uri#es`, ... checked like the
    untagged field. Tagged forms of other fields are unknown metadata (ignored, RFC 7591 2)."""
    tagged: dict[str, str] = {}
    counts: dict[str, int] = {}
    for key, value in requested.items():
        field, tag = split_key(key) if isinstance(key, str) else (key, None)
        if tag is None or field not in LOCALIZABLE:
            continue
        if not valid_tag(tag):
            raise ClientMetadataError(key, f"{tag!r} is not a BCP 47 language tag (e.g. en, es, es-419)")
        counts[field] = counts.get(field, 0) + 1
        if counts[field] > MAX_TAGS:
            raise ClientMetadataError(field, f"at most {MAX_TAGS} language-tagged values are accepted")
        tagged[key] = _text(field, value) if field in _TEXT_FIELDS else _absolute_url(key, value)
    return tagged


def validate_metadata(requested: Mapping[str, Any], permissions: Permissions) -> dict[str, Any]:
    """The metadata the provider will enforce, with defaults filled in (RFC 7591 section 2)."""
    if not isinstance(requested, Mapping):
        raise ClientMetadataError("metadata", "must be a JSON object")
    for member, reason in UNSUPPORTED_MEMBERS.items():
        if member in requested:
            raise ClientMetadataError(member, f"is not supported ({reason}; discovery advertises no algorithm "
                                      "for it): leave it out")
    for member, instead in UNOFFERED_MEMBERS.items():
        if requested.get(member) not in (None, False, []):  # false (or no URI) asks for nothing
            raise ClientMetadataError(member, instead)
    application_type = requested.get("application_type", "web")
    if application_type not in APPLICATION_TYPES:
        raise ClientMetadataError("application_type", "must be web or native")

    auth_method = requested.get("token_endpoint_auth_method", "client_secret_basic")
    if auth_method not in AUTH_METHODS:
        raise ClientMetadataError("token_endpoint_auth_method",
                                  f"{auth_method!r} is not supported; use one of {', '.join(AUTH_METHODS)}")

    grant_types = _string_list("grant_types", requested.get(
        "grant_types", ["authorization_code", "refresh_token"]), GRANT_TYPES)
    if "client_credentials" in grant_types and not permissions.operator and \
            not set(AGENCY_SCOPES) & set(permissions.extra_scopes):
        raise ClientMetadataError("grant_types", "client_credentials is granted by an operator only")
    if "client_credentials" in grant_types and auth_method == "none":
        raise ClientMetadataError("grant_types", "client_credentials needs an authenticated client")

    response_types = _string_list("response_types", requested.get(
        "response_types", ["code"] if "authorization_code" in grant_types else []), ("code",))
    if ("authorization_code" in grant_types) != ("code" in response_types):
        raise ClientMetadataError("response_types", "code goes with the authorization_code grant")

    raw_uris = requested.get("redirect_uris", [])
    if not isinstance(raw_uris, list):
        raise ClientMetadataError("redirect_uris", "must be an array of URIs", error="invalid_redirect_uri")
    _count("redirect_uris", raw_uris, error="invalid_redirect_uri")
    redirect_uris = list(dict.fromkeys(_redirect_uri(u, application_type) for u in raw_uris))
    if "authorization_code" in grant_types and not redirect_uris:
        raise ClientMetadataError("redirect_uris", "at least one is required for the authorization code grant",
                                  error="invalid_redirect_uri")

    scopes = requested.get("scope", " ".join(DEFAULT_SCOPES))
    if not isinstance(scopes, str):
        raise ClientMetadataError("scope", "must be a space-separated string")
    scope_list = list(dict.fromkeys(scopes.split()))
    for scope in scope_list:
        if scope not in KNOWN_SCOPES:
            raise ClientMetadataError("scope", f"{scope!r} is not offered by this provider")
        if not permissions.allows_scope(scope):
            raise ClientMetadataError("scope", f"{scope!r} is granted by an operator only")
    if "authorization_code" in grant_types and "openid" not in scope_list:
        raise ClientMetadataError("scope", "openid is required for sign-in clients")

    metadata: dict[str, Any] = {
        "application_type": application_type,
        "redirect_uris": redirect_uris,
        "token_endpoint_auth_method": auth_method,
        "grant_types": grant_types,
        "response_types": response_types,
        "scope": " ".join(scope_list),
    }

    if "jwks" in requested and "jwks_uri" in requested:
        raise ClientMetadataError("jwks", "give jwks or jwks_uri, not both (RFC 7591 section 2)")
    if "jwks" in requested:
        metadata["jwks"] = _jwks(requested["jwks"])
    if "jwks_uri" in requested:
        metadata["jwks_uri"] = _absolute_url("jwks_uri", requested["jwks_uri"])
    if auth_method == "private_key_jwt":
        if "jwks" not in metadata and "jwks_uri" not in metadata:
            raise ClientMetadataError("jwks", "private_key_jwt needs the client's keys in jwks or jwks_uri")
        metadata["token_endpoint_auth_signing_alg"] = requested.get("token_endpoint_auth_signing_alg",
                                                                    _alg_of_keys(metadata.get("jwks")))
        if metadata["token_endpoint_auth_signing_alg"] not in SIGNING_ALGS:
            raise ClientMetadataError("token_endpoint_auth_signing_alg", "use ES256, ES384, RS256, PS256 or EdDSA")

    if "request_object_signing_alg" in requested:  # OIDC Registration section 2 (JAR, RFC 9101)
        if requested["request_object_signing_alg"] not in SIGNING_ALGS:
            raise ClientMetadataError("request_object_signing_alg", f"use one of {', '.join(SIGNING_ALGS)}")
        metadata["request_object_signing_alg"] = requested["request_object_signing_alg"]
    # JARM section 3 and RFC 9701 section 6: the provider signs these answers with ES256 only.
    for member in ("authorization_signed_response_alg", "introspection_signed_response_alg"):
        if member in requested:
            if requested[member] != "ES256":
                raise ClientMetadataError(member, "use ES256")
            metadata[member] = "ES256"

    alg = requested.get("id_token_signed_response_alg", "ES256")
    if alg not in ID_TOKEN_ALGS:
        raise ClientMetadataError("id_token_signed_response_alg", f"use one of {', '.join(ID_TOKEN_ALGS)}")
    metadata["id_token_signed_response_alg"] = alg

    subject_type = requested.get("subject_type", "pairwise")
    if subject_type not in SUBJECT_TYPES:
        raise ClientMetadataError("subject_type", "must be pairwise or public")
    if subject_type == "public" and not permissions.operator:
        raise ClientMetadataError("subject_type", "public subjects are allowed by an operator only")
    metadata["subject_type"] = subject_type
    if "sector_identifier_uri" in requested:
        metadata["sector_identifier_uri"] = _absolute_url("sector_identifier_uri", requested["sector_identifier_uri"])

    if "post_logout_redirect_uris" in requested:
        uris = requested["post_logout_redirect_uris"]
        if not isinstance(uris, list):
            raise ClientMetadataError("post_logout_redirect_uris", "must be an array of URIs")
        _count("post_logout_redirect_uris", uris)
        metadata["post_logout_redirect_uris"] = list(dict.fromkeys(
            _absolute_url("post_logout_redirect_uris", u) for u in uris))
    if "backchannel_logout_uri" in requested:
        metadata["backchannel_logout_uri"] = _absolute_url("backchannel_logout_uri",
                                                           requested["backchannel_logout_uri"])
        session_required = requested.get("backchannel_logout_session_required", True)
        if not isinstance(session_required, bool):
            raise ClientMetadataError("backchannel_logout_session_required", "must be true or false")
        metadata["backchannel_logout_session_required"] = session_required

    for field in _TEXT_FIELDS:
        if field in requested:
            metadata[field] = _text(field, requested[field])
    for field in _URL_FIELDS:
        if field in requested:
            metadata[field] = _absolute_url(field, requested[field])
    metadata.update(_language_tagged(requested))
    if not permissions.operator:
        for key, value in metadata.items():
            if split_key(key)[0] == "client_name" and names_the_provider(value):
                raise ClientMetadataError(key, f"must not read as the provider's name ({PROVIDER_NAME}): "
                                          "citizens would take the agency for the provider; ask an "
                                          "operator to register the name if it is the agency's own")
    if "contacts" in requested:
        contacts = _string_list("contacts", requested["contacts"])
        if any(len(contact) > MAX_CONTACT_LENGTH for contact in contacts):
            raise ClientMetadataError("contacts", f"each contact is at most {MAX_CONTACT_LENGTH} characters")
        for contact in contacts:
            _printable("contacts", contact)
        metadata["contacts"] = contacts
    if "default_max_age" in requested:
        value = requested["default_max_age"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ClientMetadataError("default_max_age", "must be a non-negative whole number of seconds")
        metadata["default_max_age"] = value
    if "default_acr_values" in requested:  # OIDC Registration 2: the level of a request that names none
        levels = _string_list("default_acr_values", requested["default_acr_values"])
        if not levels or any(len(v) > 255 or not (v.isascii() and v.isprintable()) or " " in v for v in levels):
            raise ClientMetadataError("default_acr_values", "must be a non-empty array of level URIs "
                                      "(acr_values_supported of the discovery document), each without spaces")
        metadata["default_acr_values"] = levels
    for flag in _FLAGS:
        if flag in requested:
            if not isinstance(requested[flag], bool):
                raise ClientMetadataError(flag, "must be true or false")
            metadata[flag] = requested[flag]
    if "max_assurance_level" in requested:
        if requested["max_assurance_level"] not in ASSURANCE_LEVELS:
            raise ClientMetadataError("max_assurance_level", f"use one of {', '.join(ASSURANCE_LEVELS)}")
        metadata["max_assurance_level"] = requested["max_assurance_level"]
    _security_profile(requested, metadata, permissions)
    return metadata


def _security_profile(requested: Mapping[str, Any], metadata: dict[str, Any], permissions: Permissions) -> None:
    """`security_profile`: "fapi2" (FAPI 2.0 Security Profile, section 5) or "oidc". New clients
    asking for a restricted scope (national_id, documents:issue) or for level high
    (`max_assurance_level`) get "fapi2" unless an operator registers them with "oidc"
    explicitly; any client may ask for "fapi2"."""
    wanted = requested.get("security_profile")
    sensitive = any(scope in RESTRICTED_SCOPES for scope in metadata["scope"].split()) \
        or metadata.get("max_assurance_level") == "high"
    if wanted is not None and wanted not in SECURITY_PROFILES:
        raise ClientMetadataError("security_profile", f"use one of {', '.join(SECURITY_PROFILES)}")
    if wanted == "oidc" and sensitive and not permissions.operator:
        raise ClientMetadataError("security_profile", "clients with restricted scopes or level high follow "
                                  "the FAPI 2.0 profile; only an operator may register one without it")
    profile = wanted or ("fapi2" if sensitive else None)
    if profile is None:
        return
    metadata["security_profile"] = profile
    if profile == "fapi2":
        _fapi2(requested, metadata, loopback=permissions.loopback_redirects)


def _fapi2(requested: Mapping[str, Any], metadata: dict[str, Any], *, loopback: bool = False) -> None:
    """FAPI 2.0 Security Profile section 5.3.2 and 5.4 as client metadata: private_key_jwt with
    ES256 or PS256 (no client secrets), https redirect URIs, PAR and DPoP-bound tokens."""
    if metadata["token_endpoint_auth_method"] != "private_key_jwt":  # noqa: S105 - a method name
        raise ClientMetadataError("token_endpoint_auth_method", "FAPI 2.0 clients authenticate with "
                                  "private_key_jwt (no client secrets): register jwks or jwks_uri and "
                                  "token_endpoint_auth_method private_key_jwt")
    if (alg := metadata["token_endpoint_auth_signing_alg"]) not in FAPI_ALGS:
        named = "token_endpoint_auth_signing_alg" in requested
        raise ClientMetadataError("token_endpoint_auth_signing_alg",
                                  f"FAPI 2.0 clients sign with {' or '.join(FAPI_ALGS)}, "
                                  + (f"got {alg}" if named else
                                     f"not {alg}, taken from your keys (a key without alg: RS256 for RSA, "
                                     "ES384 for P-384, EdDSA for Ed25519)")
                                  + ": register token_endpoint_auth_signing_alg PS256 with an RSA key, "
                                    "or ES256 with a P-256 key")
    fapi_id_token_algs = [alg for alg in FAPI_ALGS if alg in ID_TOKEN_ALGS]  # what the provider signs with
    if metadata["id_token_signed_response_alg"] not in fapi_id_token_algs:
        raise ClientMetadataError("id_token_signed_response_alg",
                                  f"FAPI 2.0 ID tokens are signed with {' or '.join(fapi_id_token_algs)}")
    if metadata.get("request_object_signing_alg", "ES256") not in FAPI_ALGS:
        raise ClientMetadataError("request_object_signing_alg",
                                  f"FAPI 2.0 request objects are signed with {' or '.join(FAPI_ALGS)}")
    for uri in metadata["redirect_uris"]:
        if not uri.startswith("https://") and not (loopback and _is_loopback(urlsplit(uri).hostname)):
            raise ClientMetadataError("redirect_uris", f"{uri!r}: FAPI 2.0 clients use https redirect URIs "
                                      "only", error="invalid_redirect_uri")
    for flag in ("require_pushed_authorization_requests", "dpop_bound_access_tokens"):
        if requested.get(flag) is False:
            raise ClientMetadataError(flag, "FAPI 2.0 clients push their requests and use DPoP-bound "
                                      "tokens; it cannot be false")
        metadata[flag] = True
