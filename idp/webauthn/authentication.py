"""Signing in with a passkey: request options and verifying an assertion (section 7.2)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.exceptions import InvalidSignature
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticationCredential,
    AuthenticatorAssertionResponse,
    PublicKeyCredentialType,
)

from idp.webauthn.checks import (
    ClientData,
    b64_field,
    check_client_data,
    credential_envelope,
    parse_and_check_authenticator_data,
    parse_client_data,
)
from idp.webauthn.encoding import b64url, from_b64url
from idp.webauthn.errors import CloneSuspected, WebAuthnError
from idp.webauthn.relying_party import RelyingParty
from idp.webauthn.signatures import verify_signature

# What py_webauthn accepts as clientDataJSON.tokenBinding.status (an object without one, or
# with another, is refused there; a string is ignored): the same here.
TOKEN_BINDING_STATUSES = ("present", "supported")


@dataclass(frozen=True)
class AssertionResponse:
    """An AuthenticationResponseJSON (section 5.1.4) decoded, before any check."""

    credential_id: bytes
    client_data: ClientData
    authenticator_data: bytes
    user_handle: bytes | None
    signature: bytes

    @cached_property
    def credential(self) -> AuthenticationCredential:
        """The same response as py_webauthn's structure (built only when asked for)."""
        return AuthenticationCredential(
            id=b64url(self.credential_id), raw_id=self.credential_id,
            type=PublicKeyCredentialType.PUBLIC_KEY,
            response=AuthenticatorAssertionResponse(
                client_data_json=self.client_data.raw, authenticator_data=self.authenticator_data,
                signature=self.signature, user_handle=self.user_handle))


@dataclass(frozen=True)
class VerifiedAssertion:
    credential_id: bytes
    sign_count: int
    backup_eligible: bool
    backed_up: bool


def request_options(*, rp: RelyingParty, challenge: bytes) -> dict[str, Any]:
    """PublicKeyCredentialRequestOptionsJSON (section 5.5): usernameless, UV required."""
    return {
        "challenge": b64url(challenge),
        "timeout": rp.timeout_ms,
        "rpId": rp.id,
        "allowCredentials": [],
        "userVerification": "required",
    }


def parse_assertion(body: dict[str, Any]) -> AssertionResponse:
    """Decode an AuthenticationResponseJSON strictly; `invalid_request` when malformed."""
    _, raw_id, response = credential_envelope(body)
    client_data = parse_client_data(b64_field(response, "clientDataJSON",
                                              label="response.clientDataJSON"))
    authenticator_data = b64_field(response, "authenticatorData", label="response.authenticatorData")
    signature = b64_field(response, "signature", limit=1024, label="response.signature")
    handle = response.get("userHandle")
    user_handle: bytes | None = None
    if handle is not None:
        try:
            user_handle = from_b64url(handle, limit=64)
        except ValueError:
            raise WebAuthnError("invalid_request", "response.userHandle must be base64url") from None
    return AssertionResponse(credential_id=raw_id, client_data=client_data,
                             authenticator_data=authenticator_data, user_handle=user_handle,
                             signature=signature)


def verify_assertion(*, rp: RelyingParty, response: AssertionResponse, expected_challenge: bytes,
                     public_key: bytes, stored_sign_count: int, user_handle: bytes,
                     user_identified: bool = False) -> VerifiedAssertion:
    """Verify an assertion (W3C WebAuthn Level 3, section 7.2) for a stored credential.

    Every check py_webauthn's `verify_authentication_response` makes is made here, once, on
    the response already decoded (it would decode the client data, the authenticator data
    and the credential's public key again): type, challenge, origin, token binding, RP ID
    hash, user presence and verification, backup flags, signature counter, and the signature
    over authenticatorData || SHA-256(clientDataJSON) with the stored public key.

    `user_identified`: the caller identified the user before the ceremony (a re-check or a
    document confirmation, whose options name that user's passkeys, and which checks that
    the credential is theirs); the user handle may then be null, as step 6 allows.
    """
    check_client_data(response.client_data, expected_type="webauthn.get",
                      expected_challenge=expected_challenge, rp=rp)
    # Step 6: the user handle, when present, is the credential's user's; a usernameless
    # ceremony (the user not identified before it) needs it present.
    if response.user_handle is None:
        if not user_identified:
            raise WebAuthnError("invalid_credential", "response.userHandle is missing: a "
                                "sign-in without a user named first needs the credential's user")
    elif not hmac.compare_digest(response.user_handle, user_handle):
        raise WebAuthnError("invalid_credential", "response.userHandle is not this credential's user")
    auth_data = parse_and_check_authenticator_data(response.authenticator_data, rp=rp)
    if auth_data.flags.at:  # section 6.1: attested credential data belongs to a registration only
        raise WebAuthnError("invalid_credential", "assertion refused: authenticatorData carries "
                            "attested credential data (the AT flag), which no assertion has")
    # Where py_webauthn refused an unexpected token binding status (so the same errors win).
    binding = response.client_data.token_binding
    if isinstance(binding, dict) and binding.get("status") not in TOKEN_BINDING_STATUSES:
        raise WebAuthnError("invalid_credential",
                            "assertion refused: clientDataJSON.tokenBinding.status is "
                            f"{binding.get('status')!r}, expected one of {TOKEN_BINDING_STATUSES}")
    # Steps 20-21: the signature over authenticatorData and the hash of clientDataJSON.
    signed = response.authenticator_data + hashlib.sha256(response.client_data.raw).digest()
    try:
        verify_signature(public_key, signature=response.signature, data=signed)
    except InvalidSignature:
        raise WebAuthnError("invalid_credential",
                            "assertion refused: Could not verify authentication signature") from None
    except WebAuthnException as exc:
        raise WebAuthnError("invalid_credential", f"assertion refused: {exc}") from None
    except Exception:  # a signature that is not even DER, a key of the wrong shape
        raise WebAuthnError("invalid_credential", "the assertion signature is malformed") from None
    # Step 22: a signature counter that does not grow signals a cloned authenticator. Checked
    # after the signature: only the key's holder (or its clone) can raise this signal, which
    # blocks the passkey (`CloneSuspected`); a made-up assertion cannot.
    if (auth_data.sign_count or stored_sign_count) and auth_data.sign_count <= stored_sign_count:
        raise CloneSuspected(f"signature counter {auth_data.sign_count} is not greater than the "
                             f"stored {stored_sign_count}")
    return VerifiedAssertion(credential_id=response.credential_id,
                             sign_count=auth_data.sign_count,
                             backup_eligible=auth_data.flags.be, backed_up=auth_data.flags.bs)
