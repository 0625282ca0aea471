"""This provider as a WebAuthn relying party: its ID, origin, algorithms and policies."""

from __future__ import annotations

from dataclasses import dataclass, field

from webauthn.helpers.cose import COSEAlgorithmIdentifier

from idp.webauthn.attestation import AcceptAnyAttestation, AttestationPolicy
from infra.config import MAX_SECONDS, ConfigError, Settings, read_section

# the COSE algorithms py_webauthn verifies
COSE_ALGORITHMS = tuple(alg.value for alg in COSEAlgorithmIdentifier)


@dataclass(frozen=True)
class RelyingParty:
    """Built once at start from the settings (W3C WebAuthn Level 3, section 5.4.2)."""

    id: str
    name: str
    origin: str
    algorithms: tuple[int, ...]
    timeout_ms: int
    challenge_seconds: int
    attestation: AttestationPolicy = field(default_factory=AcceptAnyAttestation)

    @classmethod
    def from_settings(cls, settings: Settings,
                      attestation: AttestationPolicy | None = None) -> RelyingParty:
        section = settings["webauthn"]
        given = section["algorithms"]
        if not given or any(isinstance(alg, bool) or alg not in COSE_ALGORITHMS for alg in given):
            raise ConfigError("webauthn.algorithms must list one COSE algorithm or more (e.g. -7 ES256, -8 EdDSA, "
                              f"-257 RS256), of {', '.join(map(str, COSE_ALGORITHMS))}, got {given!r}")
        algorithms = tuple(int(alg) for alg in given)
        # a passkey response is a few kilobytes (attestation certificates included); above 1 MiB
        # is no passkey, and below 1 KiB none fits: every sign-in and enrolment was a 413
        read_section(settings, "webauthn").whole("max_body_bytes", minimum=1024, maximum=1 << 20, unit="bytes")
        return cls(
            id=settings.rp_id,
            name=str(section["rp_name"]),
            origin=settings.origin,
            algorithms=algorithms,
            timeout_ms=read_section(settings, "webauthn").whole("timeout_ms", minimum=1000, maximum=MAX_SECONDS * 1000,
                                                                unit="milliseconds"),
            challenge_seconds=read_section(settings, "webauthn").whole("challenge_seconds", minimum=1,
                                                                       maximum=MAX_SECONDS, unit="seconds"),
            attestation=attestation or AcceptAnyAttestation(),
        )
