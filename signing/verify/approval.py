"""Offline check of the passkey approval inside a citizen's signature (`signing.approval`).

W3C WebAuthn Level 3, 7.2 (verifying an authentication assertion), steps that need no
server state: clientDataJSON type "webauthn.get", the expected origin, not cross-origin;
authenticator data for the expected RP ID with user presence and user verification; the
assertion signature over authenticatorData || SHA-256(clientDataJSON) under the embedded COSE
key. Then the binding to the document: the challenge's first 32 bytes are the SHA-256 of the
approved PDF, which is the file up to the revision just before the signature's own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from infra.utc import rfc3339
from signing.approval import CHALLENGE, DIGEST, Approval, ApprovalError, from_asn1, read_attribute
from signing.verify.lookup import revision_ends


@dataclass(frozen=True)
class ApprovalReport:
    status: str  # "verified" | "failed" | "absent"
    problem: str | None = None
    failure: str | None = None  # "HASH_FAILURE" | "SIG_CRYPTO_FAILURE"
    user_verified: bool = False
    level: str | None = None
    approved_at: datetime | None = None
    aaguid: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "problem": self.problem, "method": "passkey",
                "user_verified": self.user_verified, "level": self.level,
                "approved_at": rfc3339(self.approved_at), "aaguid": self.aaguid}


def _failed(problem: str, failure: str = "SIG_CRYPTO_FAILURE", **facts: Any) -> ApprovalReport:
    return ApprovalReport("failed", problem=problem, failure=failure, **facts)


def check(*, signed_attrs: Any, data: bytes, first_range_end: int, signed_end: int,
          origin: str, rp_id: str) -> ApprovalReport:
    """The verdict on the approval of one signature (its SignerInfo's signed attributes)."""
    try:
        value = read_attribute(signed_attrs)
    except ApprovalError as exc:
        return _failed(str(exc))
    if value is None:
        return ApprovalReport("absent")
    approval, length = from_asn1(value)
    facts: dict[str, Any] = {"user_verified": approval.user_verified, "level": approval.level,
             "approved_at": approval.approved_at,
             "aaguid": _uuid(approval.aaguid)}
    problem = _assertion_problem(approval, origin=origin, rp_id=rp_id)
    if problem:
        return _failed(problem, **facts)
    challenge = approval.challenge()
    if not 0 < length <= first_range_end:
        return _failed(f"the approved length {length} is not inside the signed bytes",
                       "HASH_FAILURE", **facts)
    ends = [end for end in revision_ends(data[:signed_end]) if end >= length]
    if ends != [length, signed_end] and not (ends == [signed_end] and length == signed_end):
        return _failed("the approved document is not the revision the signature extends",
                       "HASH_FAILURE", **facts)
    digest = hashlib.sha256(memoryview(data)[:length]).digest()
    if not hmac.compare_digest(challenge[:DIGEST], digest):
        return _failed(f"the passkey approved a document with SHA-256 "
                       f"{challenge[:DIGEST].hex()}, but the signed one has {digest.hex()}",
                       "HASH_FAILURE", **facts)
    return ApprovalReport("verified", **facts)


def _uuid(aaguid: bytes) -> str | None:
    import uuid

    return str(uuid.UUID(bytes=aaguid)) if len(aaguid) == 16 else None


def _assertion_problem(approval: Approval, *, origin: str, rp_id: str) -> str | None:
    from webauthn.helpers import (
        decode_credential_public_key,
        decoded_public_key_to_cryptography,
        parse_authenticator_data,
        verify_signature,
    )

    try:
        client = json.loads(approval.client_data_json)
        challenge = approval.challenge()
    except (ValueError, ApprovalError) as exc:
        return f"clientDataJSON is not readable ({exc})"
    if not isinstance(client, dict) or client.get("type") != "webauthn.get":
        return "clientDataJSON is not from an authentication (type webauthn.get)"
    if client.get("origin") != origin or client.get("crossOrigin") is True:
        return f"the approval was made for origin {client.get('origin')!r}, not {origin!r}"
    if len(challenge) != CHALLENGE:
        return f"the challenge has {len(challenge)} bytes, not {CHALLENGE}"
    try:
        auth = parse_authenticator_data(approval.authenticator_data)
    except Exception as exc:
        return f"the authenticator data is malformed ({type(exc).__name__})"
    if not hmac.compare_digest(auth.rp_id_hash, hashlib.sha256(rp_id.encode()).digest()):
        return f"the authenticator data is not for the relying party {rp_id!r}"
    if not auth.flags.up or not auth.flags.uv:
        return "the authenticator did not verify the user (UV flag not set)"
    if not approval.user_verified:
        return "the approval does not claim user verification"
    try:
        decoded = decode_credential_public_key(approval.credential_public_key)
        verify_signature(public_key=decoded_public_key_to_cryptography(decoded),
                         signature_alg=decoded.alg, signature=approval.signature,
                         data=approval.authenticator_data
                         + hashlib.sha256(approval.client_data_json).digest())
    except Exception:
        return "the assertion signature does not verify with the embedded passkey key"
    return None
