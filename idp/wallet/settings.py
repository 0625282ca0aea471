"""The `[wallet]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.config import ConfigError


@dataclass(frozen=True)
class WalletSettings:
    issuer: str
    country: str
    enabled: bool
    offer_seconds: int
    tx_code_length: int
    tx_code_attempts: int
    access_token_seconds: int
    nonce_seconds: int
    credential_days: int
    status_list_size: int
    status_list_seconds: int
    status_list_ttl_seconds: int
    trusted_issuers: Path
    presentation_seconds: int
    pid_vct: str
    issuer_revocation: str = "require"
    issuer_revocation_cache_seconds: int = 3600
    issuer_revocation_fetch_seconds: int = 5
    sign_in: bool = True

    @property
    def credential_issuer(self) -> str:
        """The Credential Issuer Identifier (OpenID4VCI 1.0, section 12.2.1)."""
        return self.issuer

    @property
    def authorization_server(self) -> str:
        """The issuer of the pre-authorized code grant (RFC 8414 identifier)."""
        return f"{self.issuer}/wallet"


def _whole(section: Mapping[str, Any], key: str, minimum: int = 1, maximum: int | None = None) -> int:
    value = section.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum or (
            maximum is not None and value > maximum):
        bounds = f">= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
        raise ConfigError(f"wallet.{key} must be a whole number {bounds}, got {value!r}")
    return value


def load(settings: Any) -> WalletSettings:
    section = settings["wallet"]
    enabled = section.get("enabled")
    if not isinstance(enabled, bool):
        raise ConfigError(f"wallet.enabled must be true or false, got {enabled!r}")
    trusted = str(section.get("trusted_issuers") or "")
    size = _whole(section, "status_list_size", 8, 8 * 1024 * 1024)
    from idp.wallet.issuer_revocation import POLICIES

    revocation = section.get("issuer_revocation", "require")
    if revocation not in POLICIES:
        raise ConfigError(f"wallet.issuer_revocation must be one of {', '.join(POLICIES)}, "
                          f"got {revocation!r}")
    sign_in = section.get("sign_in", True)
    if not isinstance(sign_in, bool):
        raise ConfigError(f"wallet.sign_in must be true or false, got {sign_in!r}")
    if size % 8:
        raise ConfigError("wallet.status_list_size must be a multiple of 8")
    return WalletSettings(
        issuer=str(settings.issuer).rstrip("/"),
        country=str(settings["pki"]["country"]),
        enabled=enabled,
        offer_seconds=_whole(section, "offer_seconds", 60, 86400),
        tx_code_length=_whole(section, "tx_code_length", 4, 12),
        tx_code_attempts=_whole(section, "tx_code_attempts", 1, 10),
        access_token_seconds=_whole(section, "access_token_seconds", 30, 3600),
        nonce_seconds=_whole(section, "nonce_seconds", 30, 3600),
        credential_days=_whole(section, "credential_days", 1, 3650),
        status_list_size=size,
        status_list_seconds=_whole(section, "status_list_seconds", 60),
        status_list_ttl_seconds=_whole(section, "status_list_ttl_seconds", 0),
        trusted_issuers=Path(trusted) if trusted else settings.data_dir / "wallet" / "trusted-issuers.pem",
        presentation_seconds=_whole(section, "presentation_seconds", 30, 3600),
        pid_vct=str(section.get("pid_vct") or "urn:eudi:pid:1"),
        issuer_revocation=revocation,
        issuer_revocation_cache_seconds=_whole(section, "issuer_revocation_cache_seconds", 1, 86400),
        issuer_revocation_fetch_seconds=_whole(section, "issuer_revocation_fetch_seconds", 1, 60),
        sign_in=sign_in,
    )
