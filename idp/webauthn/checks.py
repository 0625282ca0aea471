"""The checks both ceremonies share: client data and authenticator data.

W3C WebAuthn Level 3, section 7.1 (registration) steps 7-17 and section 7.2
(authentication) steps 10-19. Each failed check has its own error code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field

from webauthn.helpers import parse_authenticator_data
from webauthn.helpers.structs import AuthenticatorData

from idp.webauthn.encoding import from_b64url
from idp.webauthn.errors import WebAuthnError
from idp.webauthn.relying_party import RelyingParty

MAX_CLIENT_DATA = 4096


@dataclass(frozen=True)
class ClientData:
    """CollectedClientData (section 5.8.1), the fields a relying party checks."""

    raw: bytes
    type: str
    challenge: bytes
    origin: str
    cross_origin: bool
    # clientDataJSON.topOrigin as sent (None when absent): only a cross-origin iframe has one.
    top_origin: object = field(default=None, compare=False)
    # clientDataJSON.tokenBinding as sent (None when absent), checked by the ceremony.
    token_binding: object = field(default=None, compare=False)


def parse_client_data(raw: bytes) -> ClientData:
    """Decode clientDataJSON (section 5.8.1); `invalid_request` if it is not well formed."""
    if len(raw) > MAX_CLIENT_DATA:
        raise WebAuthnError("invalid_request", f"clientDataJSON is longer than {MAX_CLIENT_DATA} bytes")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WebAuthnError("invalid_request", "clientDataJSON is not JSON") from None
    if not isinstance(data, dict):
        raise WebAuthnError("invalid_request", "clientDataJSON is not a JSON object")
    kind, origin = data.get("type"), data.get("origin")
    if not isinstance(kind, str) or not isinstance(origin, str):
        raise WebAuthnError("invalid_request", "clientDataJSON lacks a type or origin string")
    try:
        challenge = from_b64url(data.get("challenge"), limit=256)
    except ValueError:
        raise WebAuthnError("invalid_challenge",
                            "clientDataJSON.challenge is not a base64url string") from None
    cross_origin = data.get("crossOrigin", False)
    if not isinstance(cross_origin, bool):  # section 5.8.1: a boolean ("true" read as false)
        raise WebAuthnError("invalid_request", "clientDataJSON.crossOrigin must be a boolean")
    return ClientData(raw=raw, type=kind, challenge=challenge, origin=origin,
                      cross_origin=cross_origin, top_origin=data.get("topOrigin"),
                      token_binding=data.get("tokenBinding"))


def check_client_data(client_data: ClientData, *, expected_type: str,
                      expected_challenge: bytes, rp: RelyingParty) -> None:
    """Section 7.1 steps 8-11 / 7.2 steps 11-14: type, challenge, origin, not cross-origin,
    and no topOrigin (step 11 / 14: present, it must be a top-level page the relying party
    expects to frame it; this one is framed by none)."""
    if client_data.type != expected_type:
        raise WebAuthnError("invalid_request",
                            f"clientDataJSON.type is {client_data.type!r}, expected {expected_type!r}")
    if not hmac.compare_digest(client_data.challenge, expected_challenge):
        raise WebAuthnError("invalid_challenge", "clientDataJSON.challenge is not the one issued")
    if client_data.origin != rp.origin:
        raise WebAuthnError("invalid_origin",
                            f"clientDataJSON.origin is {client_data.origin!r}, expected {rp.origin!r}")
    if client_data.cross_origin:
        raise WebAuthnError("invalid_origin",
                            "the ceremony ran in a cross-origin frame, which is not accepted")
    if client_data.top_origin is not None:
        raise WebAuthnError("invalid_origin",
                            f"clientDataJSON.topOrigin is {client_data.top_origin!r}: the ceremony "
                            "ran inside another site's page, which is not accepted")


def parse_and_check_authenticator_data(raw: bytes, *, rp: RelyingParty) -> AuthenticatorData:
    """Section 7.1 steps 14-17 / 7.2 steps 15-19: RP ID hash, UP, UV, backup flags."""
    try:
        auth_data = parse_authenticator_data(raw)
    except Exception:  # py_webauthn raises several unrelated types for bad bytes
        raise WebAuthnError("invalid_credential", "authenticatorData is malformed") from None
    if not hmac.compare_digest(auth_data.rp_id_hash, hashlib.sha256(rp.id.encode()).digest()):
        raise WebAuthnError("invalid_rp_id",
                            f"authenticatorData.rpIdHash is not the SHA-256 of {rp.id!r}")
    if not auth_data.flags.up:
        raise WebAuthnError("user_presence_required", "the authenticator did not test user presence (UP=0)")
    if not auth_data.flags.uv:
        raise WebAuthnError("user_verification_required",
                            "the authenticator did not verify the user (UV=0); a PIN, fingerprint "
                            "or face check is required")
    if auth_data.flags.bs and not auth_data.flags.be:
        raise WebAuthnError("invalid_credential",
                            "backup state is set (BS=1) on a credential that is not backup eligible")
    return auth_data


def b64_field(container: dict, name: str, *, limit: int = 1 << 16, label: str = "") -> bytes:
    """A required base64url member of a JSON object, strictly decoded."""
    value = container.get(name)
    if not isinstance(value, str):
        raise WebAuthnError("invalid_request",
                            f"{label or name} must be a base64url string, got {type(value).__name__}")
    try:
        return from_b64url(value, limit=limit)
    except ValueError as exc:
        raise WebAuthnError("invalid_request", f"{label or name}: {exc}") from None


def credential_envelope(body: dict) -> tuple[str, bytes, dict]:
    """The PublicKeyCredential JSON envelope (section 5.1.10): id, rawId, type, response."""
    if body.get("type") != "public-key":
        raise WebAuthnError("invalid_request", f"type must be 'public-key', got {body.get('type')!r}")
    cred_id = body.get("id")
    raw_id = b64_field(body, "rawId", limit=1023)
    if not isinstance(cred_id, str) or from_b64url_or_none(cred_id) != raw_id:
        raise WebAuthnError("invalid_request", "id and rawId must be the same credential ID")
    if not raw_id or len(raw_id) > 1023:
        raise WebAuthnError("invalid_credential",
                            f"credential IDs are 1 to 1023 bytes, got {len(raw_id)}")
    response = body.get("response")
    if not isinstance(response, dict):
        raise WebAuthnError("invalid_request", "response must be a JSON object")
    return cred_id, raw_id, response


def from_b64url_or_none(value: str) -> bytes | None:
    try:
        return from_b64url(value, limit=1023)
    except ValueError:
        return None
