"""The `[oidc]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from idp.oidc import fapi
from idp.oidc.throttle import ClientAuthLimits
from infra.config import ConfigError

LEVELS = ("low", "substantial", "high")


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

    @property
    def client_auth_limits(self) -> ClientAuthLimits:
        return ClientAuthLimits(failures=self.client_auth_failures, window=self.client_auth_window_seconds)

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.issuer}/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/token"

    @property
    def userinfo_endpoint(self) -> str:
        return f"{self.issuer}/userinfo"

    @property
    def introspection_endpoint(self) -> str:
        return f"{self.issuer}/introspect"

    @property
    def revocation_endpoint(self) -> str:
        return f"{self.issuer}/revoke"

    @property
    def pushed_authorization_request_endpoint(self) -> str:
        return f"{self.issuer}/par"

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/jwks.json"

    @property
    def registration_endpoint(self) -> str:
        return f"{self.issuer}/register"


def _seconds(section: Mapping[str, Any], key: str, *, minimum: int = 1) -> int:
    value = section.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"oidc.{key} must be a whole number of seconds >= {minimum}, got {value!r}")
    return value


def _fraction(section: Mapping[str, Any], key: str, *, low: float, high: float) -> float:
    value = section.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"oidc.{key} must be a number of seconds from {low} to {high}, got {value!r}")
    return float(value)


def _flag(section: Mapping[str, Any], key: str) -> bool:
    value = section.get(key)
    if not isinstance(value, bool):
        raise ConfigError(f"oidc.{key} must be true or false, got {value!r}")
    return value


def _level(section: Mapping[str, Any], key: str) -> str:
    value = section.get(key)
    if value not in LEVELS:
        raise ConfigError(f"oidc.{key} must be one of {', '.join(LEVELS)}, got {value!r}")
    return str(value)


def load(settings: Mapping[str, Any], issuer: str) -> OidcSettings:
    section = settings["oidc"]
    acr_uris = {level: str(section[f"acr_{level}"]) for level in LEVELS}
    if len(set(acr_uris.values())) != len(LEVELS) or not all(acr_uris.values()):
        raise ConfigError("oidc.acr_low, acr_substantial and acr_high must be three different URIs")
    loaded = OidcSettings(
        issuer=issuer,
        access_token_seconds=_seconds(section, "access_token_seconds"),
        id_token_seconds=_seconds(section, "id_token_seconds"),
        refresh_token_seconds=_seconds(section, "refresh_token_seconds"),
        grant_seconds=_seconds(section, "grant_seconds"),
        code_seconds=_seconds(section, "code_seconds"),
        code_replay_seconds=_seconds(section, "code_replay_seconds"),
        interaction_seconds=_seconds(section, "interaction_seconds"),
        assertion_max_seconds=_seconds(section, "assertion_max_seconds"),
        leeway_seconds=_seconds(section, "leeway_seconds", minimum=0),
        jwks_uri_cache_seconds=_seconds(section, "jwks_uri_cache_seconds"),
        client_cache_seconds=_seconds(section, "client_cache_seconds", minimum=0),
        state_cache_seconds=_seconds(section, "state_cache_seconds", minimum=0),
        jwks_uri_fetch_seconds=_fraction(section, "jwks_uri_fetch_seconds", low=0.1, high=30),
        client_auth_failures=_seconds(section, "client_auth_failures"),
        client_auth_window_seconds=_seconds(section, "client_auth_window_seconds"),
        par_seconds=_seconds(section, "par_seconds"),
        require_pushed_authorization_requests=_flag(section, "require_pushed_authorization_requests"),
        fapi_loopback_redirects=_flag(section, "fapi_loopback_redirects"),
        dpop_proof_seconds=_seconds(section, "dpop_proof_seconds"),
        dpop_require_nonce=_flag(section, "dpop_require_nonce"),
        dpop_nonce_seconds=_seconds(section, "dpop_nonce_seconds", minimum=10),
        national_id_level=_level(section, "national_id_level"),
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
