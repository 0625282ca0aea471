"""The `[wallet]` settings, read and checked once at start (documented in config/default.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra.config import MAX_SECONDS, ConfigError, Settings, read_section


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


def load(settings: Settings) -> WalletSettings:
    section = read_section(settings, "wallet")
    trusted = section.text("trusted_issuers")
    size = section.whole("status_list_size", minimum=8, maximum=8 * 1024 * 1024)
    from idp.wallet.issuer_revocation import POLICIES

    if size % 8:
        raise ConfigError("wallet.status_list_size must be a multiple of 8")
    return WalletSettings(
        issuer=str(settings.issuer).rstrip("/"),
        country=str(settings["pki"]["country"]),
        enabled=section.flag("enabled"),
        offer_seconds=section.whole("offer_seconds", minimum=60, maximum=86400),
        tx_code_length=section.whole("tx_code_length", minimum=4, maximum=12),
        tx_code_attempts=section.whole("tx_code_attempts", minimum=1, maximum=10),
        access_token_seconds=section.whole("access_token_seconds", minimum=30, maximum=3600),
        nonce_seconds=section.whole("nonce_seconds", minimum=30, maximum=3600),
        credential_days=section.whole("credential_days", minimum=1, maximum=3650),
        status_list_size=size,
        status_list_seconds=section.whole("status_list_seconds", minimum=60, maximum=MAX_SECONDS, unit="seconds"),
        status_list_ttl_seconds=section.whole("status_list_ttl_seconds", minimum=0, maximum=MAX_SECONDS,
                                              unit="seconds"),
        trusted_issuers=Path(trusted) if trusted else settings.data_dir / "wallet" / "trusted-issuers.pem",
        presentation_seconds=section.whole("presentation_seconds", minimum=30, maximum=3600),
        pid_vct=section.text("pid_vct") or "urn:eudi:pid:1",
        issuer_revocation=section.choice("issuer_revocation", POLICIES),
        issuer_revocation_cache_seconds=section.whole("issuer_revocation_cache_seconds", minimum=1, maximum=86400),
        issuer_revocation_fetch_seconds=section.whole("issuer_revocation_fetch_seconds", minimum=1, maximum=60),
        sign_in=section.flag("sign_in"),
    )
