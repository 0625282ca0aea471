"""Attestation policy: what the provider asks for and accepts about a new passkey's maker.

W3C WebAuthn Level 3, section 7.1, steps 21-24: verify the attestation statement, then
decide whether it is trustworthy. The default asks for no attestation ("none") and accepts
any statement that verifies (including `packed` self-attestation); a stricter policy
(trusted roots, allowed AAGUIDs) implements `AttestationPolicy` and is given to the
relying party.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sqlalchemy.orm import Session
from webauthn.helpers.structs import AttestationFormat
from webauthn.registration.verify_registration_response import VerifiedRegistration

from infra.components import Slot


class AttestationPolicy(Protocol):
    @property
    def conveyance(self) -> str:
        """The attestation conveyance preference sent to browsers (section 5.4.7)."""

    @property
    def roots(self) -> Mapping[AttestationFormat, list[bytes]] | None:
        """Trusted root certificates (PEM) by attestation format, for chain validation."""

    def check(self, registration: VerifiedRegistration) -> object | None:
        """Raise WebAuthnError to refuse this authenticator; else a verdict to record."""

    def record(self, session: Session, *, credential_id: bytes, verdict: object | None) -> None:
        """Keep the verdict with the passkey just stored (same transaction)."""

    def reported(self, aaguid: str) -> str | None:
        """The status that forbids trusting this model now (FIDO MDS3 section 3.1.4, e.g.
        USER_VERIFICATION_BYPASS), reported after its passkeys were registered; else None."""


class AcceptAnyAttestation:
    """Ask for none; accept every statement whose signature verifies."""

    conveyance = "none"
    roots: Mapping[AttestationFormat, list[bytes]] | None = None

    def check(self, registration: VerifiedRegistration) -> None:
        return None

    def record(self, session: Session, *, credential_id: bytes, verdict: object | None) -> None:
        return None

    def reported(self, aaguid: str) -> str | None:
        return None


# Installed by the component that decides which authenticators to trust (`idp.assurance`),
# read when the relying party is built.
ATTESTATION_POLICY: Slot[AttestationPolicy] = Slot("attestation policy")
