"""A passkey confirmation bound to one document (W3C WebAuthn Level 3, section 13.4.3).

The challenge is SHA-256(document) || 32 random bytes: the authenticator signs over
clientDataJSON, which holds the challenge, so the assertion commits to exactly that document
and is fresh. The challenge is kept once in the ephemeral store with the citizen, the
upload it was issued for and the passkeys its allowCredentials named; verifying takes it
(single use), checks that its first 32 bytes are the digest of the document about to be
signed, that the passkey is one the options named (section 7.2, step 5), then verifies the
assertion with the provider's WebAuthn checks (user verification required) for it,
whose model the FIDO metadata does not report compromised now (MDS3 section 3.1.4).
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from idp.assurance.services import credential_descriptors
from idp.citizens import services
from idp.webauthn import challenges
from idp.webauthn.authentication import parse_assertion, request_options
from idp.webauthn.ceremonies import use_passkey
from idp.webauthn.encoding import b64url
from idp.webauthn.errors import WebAuthnError
from idp.webauthn.relying_party import RelyingParty
from infra.store import EphemeralStore

PREFIX = "documents:confirm:"
DIGEST = 32
NONCE = 32
GRACE_SECONDS = 120


@dataclass(frozen=True)
class Confirmed:
    sha256: str
    """Hex SHA-256 of the document the citizen confirmed."""
    credential_id: str
    # The verified assertion, for the approval evidence inside the signature (signing.approval)
    authenticator_data: bytes = b""
    client_data_json: bytes = b""
    signature: bytes = b""
    raw_credential_id: bytes = b""
    credential_public_key: bytes = b""
    aaguid: str = ""
    user_verified: bool = False


def begin(session: Session, store: EphemeralStore, *, rp: RelyingParty, citizen_id: str,
          upload_id: str, document_sha256: bytes, ttl: int, now: float,
          level: str = "substantial") -> dict[str, Any]:
    """PublicKeyCredentialRequestOptionsJSON whose challenge commits to the document;
    allowCredentials names the citizen's passkeys that reach `level` (the signing minimum).

    None of them (a wallet sign-in on an account whose passkeys fall short, a passkey since
    marked suspect or reported): WebAuthnError 403 `no_qualifying_passkey`, and no ceremony,
    since an empty allowCredentials asks the browser for any passkey (WebAuthn section 5.5)."""
    if len(document_sha256) != DIGEST:
        raise ValueError("document_sha256 must be a SHA-256 digest (32 bytes)")
    allowed = credential_descriptors(session, citizen_id=citizen_id, level=level)
    if not allowed:
        raise WebAuthnError("no_qualifying_passkey", f"none of the citizen's passkeys reaches "
                            f"level {level}, which signing needs: add a passkey that does "
                            "(on /account) and sign in with it", status=403)
    challenge = document_sha256 + secrets.token_bytes(NONCE)
    state = {"citizen_id": citizen_id, "upload_id": upload_id, "expires": now + ttl,
             "allowed": [d["id"] for d in allowed]}
    store.set(PREFIX + b64url(challenge), json.dumps(state).encode(), ttl + GRACE_SECONDS)
    options = request_options(rp=rp, challenge=challenge)
    options["allowCredentials"] = allowed
    return options


def finish(session: Session, store: EphemeralStore, *, rp: RelyingParty, citizen_id: str,
           upload_id: str, document_sha256: bytes, body: dict[str, Any], now: float) -> Confirmed:
    """Verify an assertion made for this document (section 7.2); WebAuthnError if not."""
    response = parse_assertion(body)
    challenge = response.client_data.challenge
    if len(challenge) != DIGEST + NONCE:
        raise WebAuthnError("invalid_challenge", f"the challenge must be {DIGEST + NONCE} bytes "
                            f"issued for this document; got {len(challenge)} bytes")
    raw = store.take(PREFIX + b64url(challenge))
    if raw is None:
        raise WebAuthnError("invalid_challenge",
                            "the challenge was not issued by this provider or was already used")
    state = json.loads(raw)
    if not hmac.compare_digest(challenge[:DIGEST], document_sha256):
        raise WebAuthnError("invalid_challenge",
                            f"the passkey confirmed the document with SHA-256 "
                            f"{challenge[:DIGEST].hex()}, not this one ({document_sha256.hex()})")
    if state.get("citizen_id") != citizen_id or state.get("upload_id") != upload_id:
        raise WebAuthnError("forbidden", "the challenge was issued for another document or "
                            "citizen", status=403)
    if now > float(state["expires"]):
        raise WebAuthnError("challenge_expired", "the challenge has expired; start again")
    # Section 7.2, step 5: only a passkey the options named (those reaching the signing minimum)
    challenges.require_allowed(tuple(state["allowed"]) if state.get("allowed") is not None else None,
                               response.credential_id)
    passkey = services.find_passkey(session, response.credential_id)
    if passkey is None or str(passkey.citizen_id) != citizen_id:
        raise WebAuthnError("unknown_credential", "this passkey is not one of yours")
    use_passkey(session, rp=rp, response=response, passkey=passkey, challenge=challenge, now=now)
    status = rp.attestation.reported(passkey.aaguid)
    if status is not None:  # rolls back the use recorded above (the caller's transaction)
        raise WebAuthnError("authenticator_refused", f"the FIDO metadata now reports {status} for "
                            "this passkey's model: it approves no signature", status=403)
    flags = response.authenticator_data[32] if len(response.authenticator_data) > 32 else 0
    return Confirmed(sha256=challenge[:DIGEST].hex(), credential_id=b64url(passkey.credential_id),
                     authenticator_data=response.authenticator_data,
                     client_data_json=response.client_data.raw,
                     signature=response.credential.response.signature,
                     raw_credential_id=passkey.credential_id,
                     credential_public_key=passkey.public_key, aaguid=passkey.aaguid,
                     user_verified=bool(flags & 0x04))
