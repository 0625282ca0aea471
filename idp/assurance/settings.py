"""The `[assurance]` settings, read and checked once at start (documented in config/default.toml).

The acr URI of each level stays where the OpenID Provider reads it: `oidc.acr_low`,
`oidc.acr_substantial`, `oidc.acr_high`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from idp.assurance.possession import CodeLimits
from idp.assurance.roots import FIDO_MDS_ROOT_PEM
from infra.components import Slot
from infra.config import MAX_SECONDS, ConfigError, Settings, read_section

CONVEYANCES = ("auto", "direct", "none")
UNTRUSTED = ("accept", "refuse")


@dataclass(frozen=True)
class AssuranceSettings:
    attestation: str
    mds_source: str
    mds_root_pem: bytes
    mds_cache: Path
    mds_retry_seconds: int
    mds_timeout_seconds: int
    untrusted_attestation: str
    registry: str
    binding_seconds: int
    codes: CodeLimits


# The most codes sent or wrong codes entered a window may allow (per claimant, per national ID):
# far above the handful a real citizen needs, far below what guessing an 8-digit code needs.
MAX_CODE_COUNT = 100


def load(settings: Settings) -> AssuranceSettings:
    section = read_section(settings, "assurance")
    root = section.text("mds_root_certificate")
    try:
        root_pem = Path(root).read_bytes() if root else FIDO_MDS_ROOT_PEM
    except OSError as exc:
        raise ConfigError(f"assurance.mds_root_certificate: cannot read {root!r} ({exc})") from None
    if b"-----BEGIN CERTIFICATE-----" not in root_pem:
        raise ConfigError(f"assurance.mds_root_certificate: {root!r} is not a PEM certificate")
    return AssuranceSettings(
        attestation=section.choice("attestation", CONVEYANCES),
        mds_source=section.text("mds_source"),
        mds_root_pem=root_pem,
        mds_cache=settings.data_dir / "mds" / "blob.jwt",
        mds_retry_seconds=section.whole("mds_retry_seconds", maximum=MAX_SECONDS, unit="seconds"),
        mds_timeout_seconds=section.whole("mds_timeout_seconds", maximum=MAX_SECONDS, unit="seconds"),
        untrusted_attestation=section.choice("untrusted_attestation", UNTRUSTED),
        registry=section.text("registry"),
        binding_seconds=section.whole("binding_seconds", minimum=60, maximum=MAX_SECONDS, unit="seconds"),
        codes=CodeLimits(
            code_seconds=section.whole("code_seconds", minimum=60, maximum=MAX_SECONDS, unit="seconds"),
            postal_code_seconds=section.whole("postal_code_seconds", minimum=3600, maximum=MAX_SECONDS, unit="seconds"),
            # at most MAX_CODE_COUNT each: 1e15 switched off what bounds guessing a code for
            # someone else's national ID and flooding their mailbox, phone or letterbox
            code_attempts=section.whole("code_attempts", maximum=MAX_CODE_COUNT),
            code_sends=section.whole("code_sends", maximum=MAX_CODE_COUNT),
            national_id_attempts=section.whole("national_id_attempts", maximum=MAX_CODE_COUNT),
            national_id_daily_sends=section.whole("national_id_daily_sends", maximum=MAX_CODE_COUNT),
            window_seconds=section.whole("code_window_seconds", minimum=60, maximum=MAX_SECONDS, unit="seconds")),
    )


ASSURANCE: Slot[AssuranceSettings] = Slot("assurance settings")


def assurance_settings(app: Flask | None = None) -> AssuranceSettings:
    """The `[assurance]` settings of `app` (default: the current application)."""
    return ASSURANCE.of(app)
