"""The `[assurance]` settings, read and checked once at start (documented in config/default.toml).

The acr URI of each level stays where the OpenID Provider reads it: `oidc.acr_low`,
`oidc.acr_substantial`, `oidc.acr_high`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from idp.assurance.possession import CodeLimits
from idp.assurance.roots import FIDO_MDS_ROOT_PEM
from infra.components import Slot
from infra.config import ConfigError

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


def _whole(section: Mapping[str, Any], key: str, minimum: int = 1) -> int:
    value = section.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"assurance.{key} must be a whole number >= {minimum}, got {value!r}")
    return value


def _choice(section: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = section.get(key)
    if value not in allowed:
        raise ConfigError(f"assurance.{key} must be one of {', '.join(allowed)}; got {value!r}")
    return str(value)


def load(settings: Any) -> AssuranceSettings:
    section = settings["assurance"]
    root = str(section.get("mds_root_certificate") or "")
    try:
        root_pem = Path(root).read_bytes() if root else FIDO_MDS_ROOT_PEM
    except OSError as exc:
        raise ConfigError(f"assurance.mds_root_certificate: cannot read {root!r} ({exc})") from None
    if b"-----BEGIN CERTIFICATE-----" not in root_pem:
        raise ConfigError(f"assurance.mds_root_certificate: {root!r} is not a PEM certificate")
    return AssuranceSettings(
        attestation=_choice(section, "attestation", CONVEYANCES),
        mds_source=str(section.get("mds_source") or ""),
        mds_root_pem=root_pem,
        mds_cache=settings.data_dir / "mds" / "blob.jwt",
        mds_retry_seconds=_whole(section, "mds_retry_seconds"),
        mds_timeout_seconds=_whole(section, "mds_timeout_seconds"),
        untrusted_attestation=_choice(section, "untrusted_attestation", UNTRUSTED),
        registry=str(section.get("registry") or ""),
        binding_seconds=_whole(section, "binding_seconds", minimum=60),
        codes=CodeLimits(
            code_seconds=_whole(section, "code_seconds", minimum=60),
            postal_code_seconds=_whole(section, "postal_code_seconds", minimum=3600),
            code_attempts=_whole(section, "code_attempts"),
            code_sends=_whole(section, "code_sends"),
            national_id_attempts=_whole(section, "national_id_attempts"),
            national_id_daily_sends=_whole(section, "national_id_daily_sends"),
            window_seconds=_whole(section, "code_window_seconds", minimum=60)),
    )


ASSURANCE: Slot[AssuranceSettings] = Slot("assurance settings")


def assurance_settings(app: Flask | None = None) -> AssuranceSettings:
    """The `[assurance]` settings of `app` (default: the current application)."""
    return ASSURANCE.of(app)
