"""Signing in with a passkey: request options and verifying an assertion (section 7.2)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from webauthn import verify_authentication_response
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
from idp.webauthn.errors import WebAuthnError
from idp.webauthn.relying_party import RelyingParty


@dataclass(frozen=True)
class AssertionResponse:
    """An AuthenticationResponseJSON (section 5.1.4) decoded, before any check."""

    credential_id: bytes
    client_data: ClientData
    authenticator_data: bytes
    user_handle: bytes | None
    credential: AuthenticationCredential


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
    credential = AuthenticationCredential(
        id=b64url(raw_id), raw_id=raw_id, type=PublicKeyCredentialType.PUBLIC_KEY,
        response=AuthenticatorAssertionResponse(
            client_data_json=client_data.raw, authenticator_data=authenticator_data,
            signature=signature, user_handle=user_handle),
    )
    return AssertionResponse(credential_id=raw_id, client_data=client_data,
                             authenticator_data=authenticator_data, user_handle=user_handle,
                             credential=credential)


def verify_assertion(*, rp: RelyingParty, response: AssertionResponse, expected_challenge: bytes,
                     public_key: bytes, stored_sign_count: int,
                     user_handle: bytes) -> VerifiedAssertion:
    """Verify an assertion (W3C WebAuthn Level 3, section 7.2) for a stored credential."""
    check_client_data(response.client_data, expected_type="webauthn.get",
                      expected_challenge=expected_challenge, rp=rp)
    # Step 6: for a discoverable credential the user handle must be present and match.
    if response.user_handle is None or not hmac.compare_digest(response.user_handle, user_handle):
        raise WebAuthnError("invalid_credential",
                            "response.userHandle is missing or is not this credential's user")
    auth_data = parse_and_check_authenticator_data(response.authenticator_data, rp=rp)
    # Step 22: a signature counter that does not grow signals a cloned authenticator.
    if (auth_data.sign_count or stored_sign_count) and auth_data.sign_count <= stored_sign_count:
        raise WebAuthnError("sign_count_regression",
                            f"signature counter {auth_data.sign_count} is not greater than the "
                            f"stored {stored_sign_count}")
    try:
        verified = verify_authentication_response(
            credential=response.credential,
            expected_challenge=expected_challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=public_key,
            credential_current_sign_count=stored_sign_count,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        raise WebAuthnError("invalid_credential", f"assertion refused: {exc}") from None
    except Exception:  # a signature that is not even DER, a key of the wrong shape
        raise WebAuthnError("invalid_credential", "the assertion signature is malformed") from None
    return VerifiedAssertion(credential_id=verified.credential_id,
                             sign_count=verified.new_sign_count,
                             backup_eligible=auth_data.flags.be, backed_up=auth_data.flags.bs)
