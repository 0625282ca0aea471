"""This provider as a WebAuthn relying party: its ID, origin, algorithms and policies."""

from __future__ import annotations

from dataclasses import dataclass, field

from idp.webauthn.attestation import AcceptAnyAttestation, AttestationPolicy
from infra.config import Settings


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
        algorithms = tuple(int(alg) for alg in section["algorithms"])
        if not algorithms:
            raise ValueError("webauthn.algorithms must list at least one COSE algorithm")
        return cls(
            id=settings.rp_id,
            name=str(section["rp_name"]),
            origin=settings.origin,
            algorithms=algorithms,
            timeout_ms=int(section["timeout_ms"]),
            challenge_seconds=int(section["challenge_seconds"]),
            attestation=attestation or AcceptAnyAttestation(),
        )
