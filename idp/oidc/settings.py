"""The `[oidc]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, overload

from idp.oidc import fapi
from idp.oidc.throttle import ClientAuthLimits
from infra.config import MAX_SECONDS, ConfigError, read_section

LEVELS = ("low", "substantial", "high")
# RFC 3986 section 3.1 scheme, ':', then no space or control character (acr_values is
# space-separated, OIDC Core 3.1.2.1: "loa high" could never be asked for)
ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f#]+")


class Endpoint:
    """An endpoint URL of the provider, read as an attribute of the settings: the issuer
    followed by `path` (`settings.token_endpoint` is `https://issuer/token`). Worked out on
    first use and kept in the instance, as `functools.cached_property` does."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, settings: None, owner: type | None = None) -> Endpoint: ...
    @overload
    def __get__(self, settings: OidcSettings, owner: type | None = None) -> str: ...
    def __get__(self, settings: OidcSettings | None, owner: type | None = None) -> Endpoint | str:
        if settings is None:
            return self
        url = settings.__dict__[self.name] = settings.issuer + self.path
        return url


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    access_token_seconds: int
    id_token_seconds: int
    refresh_token_seconds: int
    grant_seconds: int
    code_seconds: int
    code_replay_seconds: int
    interaction_seconds: int
    assertion_max_seconds: int
    leeway_seconds: int
    jwks_uri_cache_seconds: int
    acr_uris: Mapping[str, str]
    client_cache_seconds: int = 5
    state_cache_seconds: int = 0
    jwks_uri_fetch_seconds: float = 3.0
    client_auth_failures: int = 10
    client_auth_window_seconds: int = 300
    par_seconds: int = 60
    require_pushed_authorization_requests: bool = False
    # Embedded demo only (refused unless the issuer is loopback): FAPI 2.0 clients may use http
    # redirect URIs on this machine (idp.oidc.fapi.check_authorization).
    fapi_loopback_redirects: bool = False
    dpop_proof_seconds: int = 60
    dpop_require_nonce: bool = True
    dpop_nonce_seconds: int = 300
    national_id_level: str = "low"
    # acr URI -> the level it names (`acr_uris` reversed), made once with the settings: the
    # code exchange reads it on every /token (`codes.settled`; issue 16).
    acr_levels: Mapping[str, str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "acr_levels", {uri: level for level, uri in self.acr_uris.items()})

    @property
    def client_auth_limits(self) -> ClientAuthLimits:
        return ClientAuthLimits(failures=self.client_auth_failures, window=self.client_auth_window_seconds)

    # Each endpoint's URL: the issuer and the path its route is registered under.
    authorization_endpoint = Endpoint("/authorize")
    token_endpoint = Endpoint("/token")
    userinfo_endpoint = Endpoint("/userinfo")
    introspection_endpoint = Endpoint("/introspect")
    revocation_endpoint = Endpoint("/revoke")
    pushed_authorization_request_endpoint = Endpoint("/par")
    jwks_uri = Endpoint("/jwks.json")
    registration_endpoint = Endpoint("/register")

def load(settings: Mapping[str, Mapping[str, Any]], issuer: str) -> OidcSettings:
    section = read_section(settings, "oidc")
    acr_uris = {level: section.text(f"acr_{level}") for level in LEVELS}
    for level, uri in acr_uris.items():  # sent in `acr` and asked for in space-separated `acr_values`
        if uri and not ABSOLUTE_URI.fullmatch(uri):
            raise ConfigError(f"oidc.acr_{level} must be an absolute URI without spaces (RFC 3986 section 4.3), "
                              f"e.g. http://eidas.europa.eu/LoA/{level}, got {uri!r}")
    if len(set(acr_uris.values())) != len(LEVELS) or not all(acr_uris.values()):
        raise ConfigError("oidc.acr_low, acr_substantial and acr_high must be three different URIs")
    loaded = OidcSettings(
        issuer=issuer,
        access_token_seconds=section.whole("access_token_seconds", unit="seconds", maximum=MAX_SECONDS),
        id_token_seconds=section.whole("id_token_seconds", unit="seconds", maximum=MAX_SECONDS),
        refresh_token_seconds=section.whole("refresh_token_seconds", unit="seconds", maximum=MAX_SECONDS),
        grant_seconds=section.whole("grant_seconds", unit="seconds", maximum=MAX_SECONDS),
        code_seconds=section.whole("code_seconds", unit="seconds", maximum=MAX_SECONDS),
        code_replay_seconds=section.whole("code_replay_seconds", unit="seconds", maximum=MAX_SECONDS),
        interaction_seconds=section.whole("interaction_seconds", unit="seconds", maximum=MAX_SECONDS),
        assertion_max_seconds=section.whole("assertion_max_seconds", unit="seconds", maximum=MAX_SECONDS),
        leeway_seconds=section.whole("leeway_seconds", minimum=0, unit="seconds", maximum=MAX_SECONDS),
        jwks_uri_cache_seconds=section.whole("jwks_uri_cache_seconds", unit="seconds", maximum=MAX_SECONDS),
        client_cache_seconds=section.whole("client_cache_seconds", minimum=0, unit="seconds", maximum=MAX_SECONDS),
        state_cache_seconds=section.whole("state_cache_seconds", minimum=0, unit="seconds", maximum=MAX_SECONDS),
        jwks_uri_fetch_seconds=section.number("jwks_uri_fetch_seconds", minimum=0.1, maximum=30, unit="seconds"),
        client_auth_failures=section.whole("client_auth_failures"),
        client_auth_window_seconds=section.whole("client_auth_window_seconds", unit="seconds", maximum=MAX_SECONDS),
        par_seconds=section.whole("par_seconds", unit="seconds", maximum=MAX_SECONDS),
        require_pushed_authorization_requests=section.flag("require_pushed_authorization_requests"),
        fapi_loopback_redirects=section.flag("fapi_loopback_redirects"),
        dpop_proof_seconds=section.whole("dpop_proof_seconds", unit="seconds", maximum=MAX_SECONDS),
        dpop_require_nonce=section.flag("dpop_require_nonce"),
        dpop_nonce_seconds=section.whole("dpop_nonce_seconds", minimum=10, unit="seconds", maximum=MAX_SECONDS),
        national_id_level=section.choice("national_id_level", LEVELS),
        acr_uris=acr_uris,
    )
    if not 5 <= loaded.par_seconds <= 600:
        raise ConfigError("oidc.par_seconds must be from 5 to 600 (RFC 9126 section 2.2: short-lived)")
    if loaded.code_replay_seconds < loaded.code_seconds:
        raise ConfigError("oidc.code_replay_seconds must be at least oidc.code_seconds")
    if loaded.fapi_loopback_redirects and not fapi.loopback(issuer):
        raise ConfigError(f"oidc.fapi_loopback_redirects is for the embedded demo only: the issuer {issuer} "
                          "is not on this machine (localhost, 127.0.0.1, [::1]); FAPI 2.0 clients need https "
                          "redirect URIs")
    return loaded
