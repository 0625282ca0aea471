"""A software WebAuthn authenticator for HTTP-level tests (and other suites).

One instance holds one ES256 discoverable credential (a passkey). It answers the
relying party's options JSON with the WebAuthn Level 3 JSON forms a browser's
`PublicKeyCredential.toJSON()` gives:

    key = SoftwareAuthenticator()                       # UV, device-bound, count 0
    response = key.register(creation_options_json)      # RegistrationResponseJSON
    response = key.authenticate(request_options_json)   # AuthenticationResponseJSON

Flags (UP, UV, BE, BS), the sign count, the origin, the RP ID, the challenge and the
attestation format ("none" or "packed" self-attestation) are controllable, per
instance or per call, so tests can build every kind of wrong answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class SoftwareAuthenticator:
    origin: str = "http://localhost"
    rp_id: str = "localhost"
    attestation: str = "none"  # or "packed" (self-attestation)
    user_present: bool = True
    user_verified: bool = True
    backup_eligible: bool = False
    backed_up: bool = False
    sign_count: int = 0
    counter_step: int = 0  # added to sign_count before each assertion (0: counter unused)
    aaguid: bytes = bytes(16)
    transports: tuple[str, ...] = ("internal",)
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    user_handle: bytes | None = None

    @property
    def credential_id_b64(self) -> str:
        return b64url(self.credential_id)

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    def _flags(self, *, up: bool, uv: bool, be: bool, bs: bool, attested: bool) -> int:
        return ((UP if up else 0) | (UV if uv else 0) | (BE if be else 0) | (BS if bs else 0)
                | (AT if attested else 0))

    def authenticator_data(self, *, rp_id: str, flags: int, sign_count: int,
                           attested: bool) -> bytes:
        data = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + sign_count.to_bytes(4, "big")
        if attested:
            data += (self.aaguid + len(self.credential_id).to_bytes(2, "big") + self.credential_id
                     + self.cose_public_key())
        return data

    @staticmethod
    def client_data(kind: str, challenge: str, origin: str, **extra: Any) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False, **extra}, separators=(",", ":")).encode()

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))

    def register(self, options: dict[str, Any], *, origin: str | None = None,
                 rp_id: str | None = None, challenge: str | None = None,
                 attestation: str | None = None, up: bool | None = None,
                 uv: bool | None = None, be: bool | None = None, bs: bool | None = None,
                 kind: str = "webauthn.create") -> dict[str, Any]:
        """A RegistrationResponseJSON answering PublicKeyCredentialCreationOptionsJSON."""
        self.user_handle = from_b64url(options["user"]["id"])
        rp = rp_id or options.get("rp", {}).get("id") or self.rp_id
        client_data = self.client_data(kind, challenge or options["challenge"], origin or self.origin)
        flags = self._flags(up=self.user_present if up is None else up,
                            uv=self.user_verified if uv is None else uv,
                            be=self.backup_eligible if be is None else be,
                            bs=self.backed_up if bs is None else bs, attested=True)
        auth_data = self.authenticator_data(rp_id=rp, flags=flags, sign_count=self.sign_count,
                                            attested=True)
        fmt = attestation or self.attestation
        if fmt == "none":
            statement: dict[str, Any] = {}
        elif fmt == "packed":
            statement = {"alg": -7,
                         "sig": self.sign(auth_data + hashlib.sha256(client_data).digest())}
        else:
            raise ValueError(f"unsupported attestation format {fmt!r}")
        attestation_object = cbor2.dumps({"fmt": fmt, "attStmt": statement, "authData": auth_data})
        return {
            "id": self.credential_id_b64,
            "rawId": self.credential_id_b64,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": True}},
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation_object),
                "authenticatorData": b64url(auth_data),
                "publicKeyAlgorithm": -7,
                "transports": list(self.transports),
            },
        }

    def authenticate(self, options: dict[str, Any], *, origin: str | None = None,
                     rp_id: str | None = None, challenge: str | None = None,
                     up: bool | None = None, uv: bool | None = None, be: bool | None = None,
                     bs: bool | None = None, sign_count: int | None = None,
                     user_handle: bytes | None = None,
                     kind: str = "webauthn.get") -> dict[str, Any]:
        """An AuthenticationResponseJSON answering PublicKeyCredentialRequestOptionsJSON."""
        if sign_count is None:
            self.sign_count += self.counter_step
            sign_count = self.sign_count
        rp = rp_id or options.get("rpId") or self.rp_id
        client_data = self.client_data(kind, challenge or options["challenge"], origin or self.origin)
        flags = self._flags(up=self.user_present if up is None else up,
                            uv=self.user_verified if uv is None else uv,
                            be=self.backup_eligible if be is None else be,
                            bs=self.backed_up if bs is None else bs, attested=False)
        auth_data = self.authenticator_data(rp_id=rp, flags=flags, sign_count=sign_count,
                                            attested=False)
        signature = self.sign(auth_data + hashlib.sha256(client_data).digest())
        handle = user_handle if user_handle is not None else self.user_handle
        return {
            "id": self.credential_id_b64,
            "rawId": self.credential_id_b64,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(handle) if handle is not None else None,
            },
        }
