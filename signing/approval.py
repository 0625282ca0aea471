"""The citizen's approval of a document, carried inside their signature and checkable offline.

The citizen approves a document with a passkey whose WebAuthn challenge is
SHA-256(document) || 32 random bytes (`idp.documents.confirmation`). That assertion — the
authenticator data, clientDataJSON and signature, with the credential's COSE public key as
registered — goes into the PAdES signature as a signed CMS attribute (RFC 5652, 5.3), so a
verifier can check, years later and without Cédula, that the holder of that passkey approved
exactly the bytes that were signed. Format (docs/signatures.md):

    id-cedula-passkeyApproval OBJECT IDENTIFIER ::= { 2 25 256928022816891110522021283324737086830 2 1 }

    PasskeyApproval ::= SEQUENCE {
      version              INTEGER (1),
      credentialId         OCTET STRING,
      credentialPublicKey  OCTET STRING,   -- COSE_Key (RFC 9052), as registered
      aaguid               OCTET STRING (SIZE (16)),
      authenticatorData    OCTET STRING,   -- W3C WebAuthn Level 3, 6.1
      clientDataJSON       OCTET STRING,   -- W3C WebAuthn Level 3, 5.8.1
      signature            OCTET STRING,   -- over authenticatorData || SHA-256(clientDataJSON)
      userVerified         BOOLEAN,
      levelOfAssurance     UTF8String,     -- "low" | "substantial" | "high"
      approvedAt           GeneralizedTime,
      approvedLength       INTEGER         -- bytes of the approved PDF (a prefix of the file)
    }
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import cms, core
from pyhanko.sign import attributes
from pyhanko.sign.signers.pdf_cms import CAdESSignedAttributeProviderSpec, PdfCMSSignedAttributes

from keys.policies import LEVELS, PASSKEY_APPROVAL
from signing.errors import SigningError

DIGEST = 32
CHALLENGE = 64  # SHA-256(document) || 32 random bytes


class ApprovalError(SigningError):
    """The approval does not fit the document being signed."""


class PasskeyApproval(core.Sequence):  # type: ignore[misc]  # asn1crypto has no type information
    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("version", core.Integer),
        ("credential_id", core.OctetString),
        ("credential_public_key", core.OctetString),
        ("aaguid", core.OctetString),
        ("authenticator_data", core.OctetString),
        ("client_data_json", core.OctetString),
        ("signature", core.OctetString),
        ("user_verified", core.Boolean),
        ("level", core.UTF8String),
        ("approved_at", core.GeneralizedTime),
        ("approved_length", core.Integer),
    ]


@dataclass(frozen=True)
class Approval:
    """The verified passkey assertion by which a citizen approved a document."""

    authenticator_data: bytes
    client_data_json: bytes
    signature: bytes
    credential_id: bytes
    credential_public_key: bytes
    """COSE_Key, as stored for the passkey."""
    aaguid: bytes
    """16 bytes (the authenticator model; zeros when the authenticator does not say)."""
    user_verified: bool
    level: str
    """Level of assurance of the sign-in that approved it: low, substantial or high."""
    approved_at: datetime

    def challenge(self) -> bytes:
        """The challenge the authenticator signed, from clientDataJSON."""
        return _challenge(self.client_data_json)

    def document_sha256(self) -> bytes:
        return self.challenge()[:DIGEST]

    def check_for(self, document: bytes) -> None:
        """`ApprovalError` unless this approval is for exactly `document` with UV."""
        if self.level not in LEVELS:
            raise ApprovalError(f"the approval's level must be one of {', '.join(LEVELS)}, "
                                f"got {self.level!r}")
        if not self.user_verified:
            raise ApprovalError("the passkey approval was made without user verification")
        if len(self.aaguid) != 16:
            raise ApprovalError(f"an AAGUID has 16 bytes, got {len(self.aaguid)}")
        digest = hashlib.sha256(document).digest()
        if not hmac.compare_digest(self.document_sha256(), digest):
            raise ApprovalError(f"the passkey approved the document with SHA-256 "
                                f"{self.document_sha256().hex()}, not this one ({digest.hex()})")

    def to_asn1(self, *, approved_length: int) -> PasskeyApproval:
        return PasskeyApproval({
            "version": 1, "credential_id": self.credential_id,
            "credential_public_key": self.credential_public_key, "aaguid": self.aaguid,
            "authenticator_data": self.authenticator_data,
            "client_data_json": self.client_data_json, "signature": self.signature,
            "user_verified": self.user_verified, "level": self.level,
            "approved_at": self.approved_at.astimezone(UTC).replace(microsecond=0),
            "approved_length": approved_length,
        })


def _challenge(client_data_json: bytes) -> bytes:
    from infra.jose import b64url_decode  # JOSE (joserfc) loads only for a citizen's approval

    try:
        value = json.loads(client_data_json)["challenge"]
        return b64url_decode(value, padding=True)
    except (ValueError, KeyError, TypeError) as exc:
        raise ApprovalError(f"clientDataJSON has no readable challenge ({exc})") from None


class ApprovalAttributeProvider(attributes.CMSAttributeProvider):
    """Supplies the signed attribute id-cedula-passkeyApproval to pyHanko."""

    attribute_type = PASSKEY_APPROVAL

    def __init__(self, approval: Approval, approved_length: int) -> None:
        self.value = approval.to_asn1(approved_length=approved_length)

    async def build_attr_value(self, dry_run: bool = False) -> PasskeyApproval:
        return self.value

    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute:
        return cms.CMSAttribute({"type": cms.CMSAttributeType(PASSKEY_APPROVAL),
                                 "values": [self.value]})


class ApprovalAttributes(CAdESSignedAttributeProviderSpec):
    """The PAdES signed attributes (ETSI EN 319 142-1, 5.2) plus the passkey approval."""

    def __init__(self, *, signing_cert: Any, approval: Approval, approved_length: int) -> None:
        super().__init__(attr_settings=PdfCMSSignedAttributes(), signing_cert=signing_cert,
                         is_pades=True, timestamper=None)
        self.provider = ApprovalAttributeProvider(approval, approved_length)

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str) -> Iterator[Any]:
        yield from super().signed_attr_providers(data_digest, digest_algorithm)
        yield self.provider


def read_attribute(signed_attrs: Any) -> PasskeyApproval | None:
    """The approval in a SignerInfo's signed attributes, or None; ApprovalError if malformed
    or present more than once."""
    if signed_attrs is None or isinstance(signed_attrs, core.Void):
        return None
    found = [attr for attr in signed_attrs if attr["type"].dotted == PASSKEY_APPROVAL]
    if not found:
        return None
    if len(found) > 1 or len(found[0]["values"]) != 1:
        raise ApprovalError("the passkey approval attribute must appear once with one value")
    try:
        value: PasskeyApproval = PasskeyApproval.load(found[0]["values"][0].dump(), strict=True)
        value.native  # noqa: B018 - parse everything now
    except (ValueError, TypeError) as exc:
        raise ApprovalError(f"the passkey approval attribute is malformed ({exc})") from None
    return value


def from_asn1(value: PasskeyApproval) -> tuple[Approval, int]:
    native = value.native
    return Approval(
        authenticator_data=native["authenticator_data"],
        client_data_json=native["client_data_json"], signature=native["signature"],
        credential_id=native["credential_id"],
        credential_public_key=native["credential_public_key"], aaguid=native["aaguid"],
        user_verified=bool(native["user_verified"]), level=native["level"],
        approved_at=native["approved_at"]), int(native["approved_length"])
