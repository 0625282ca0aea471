"""Registering a passkey: creation options and verifying the response (section 7.1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from webauthn import verify_registration_response
from webauthn.helpers import decode_credential_public_key, parse_attestation_object, parse_cbor
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorAttestationResponse,
    AuthenticatorTransport,
    PublicKeyCredentialType,
    RegistrationCredential,
)

from idp.webauthn.checks import (
    b64_field,
    check_client_data,
    credential_envelope,
    parse_and_check_authenticator_data,
    parse_client_data,
)
from idp.webauthn.encoding import b64url
from idp.webauthn.errors import WebAuthnError
from idp.webauthn.relying_party import RelyingParty

_TRANSPORTS = {t.value for t in AuthenticatorTransport}


@dataclass(frozen=True)
class ExistingCredential:
    credential_id: bytes
    transports: Sequence[str] = ()


@dataclass(frozen=True)
class RegistrationResponse:
    """A RegistrationResponseJSON (section 5.1.3) decoded, before any check."""

    credential_id: bytes
    client_data: Any  # checks.ClientData
    attestation_object: bytes
    transports: tuple[str, ...]
    credential: RegistrationCredential


@dataclass(frozen=True)
class NewPasskey:
    """A verified new credential, ready to store."""

    credential_id: bytes
    public_key: bytes
    sign_count: int
    aaguid: str
    attestation_format: str
    transports: tuple[str, ...]
    backup_eligible: bool
    backed_up: bool
    attestation: object | None = None  # the attestation policy's verdict, recorded with it


def creation_options(*, rp: RelyingParty, challenge: bytes, user_handle: bytes, user_name: str,
                     display_name: str, exclude: Sequence[ExistingCredential] = ()) -> dict[str, Any]:
    """PublicKeyCredentialCreationOptionsJSON (section 5.4) for a discoverable, UV passkey."""
    return {
        "rp": {"id": rp.id, "name": rp.name},
        "user": {"id": b64url(user_handle), "name": user_name, "displayName": display_name},
        "challenge": b64url(challenge),
        "pubKeyCredParams": [{"type": "public-key", "alg": alg} for alg in rp.algorithms],
        "timeout": rp.timeout_ms,
        "excludeCredentials": [
            {"type": "public-key", "id": b64url(c.credential_id),
             **({"transports": list(c.transports)} if c.transports else {})}
            for c in exclude
        ],
        "authenticatorSelection": {
            "residentKey": "required",
            "requireResidentKey": True,
            "userVerification": "required",
        },
        "attestation": rp.attestation.conveyance,
        "extensions": {"credProps": True},
    }


def parse_registration(body: dict[str, Any]) -> RegistrationResponse:
    """Decode a RegistrationResponseJSON strictly; `invalid_request` when it is malformed."""
    _, raw_id, response = credential_envelope(body)
    client_data = parse_client_data(b64_field(response, "clientDataJSON", label="response.clientDataJSON"))
    attestation_object = b64_field(response, "attestationObject",
                                   label="response.attestationObject")
    transports = response.get("transports", [])
    if not isinstance(transports, list) or not all(isinstance(t, str) for t in transports):
        raise WebAuthnError("invalid_request", "response.transports must be a list of strings")
    known = tuple(dict.fromkeys(t for t in transports if t in _TRANSPORTS))
    credential = RegistrationCredential(
        id=b64url(raw_id), raw_id=raw_id, type=PublicKeyCredentialType.PUBLIC_KEY,
        response=AuthenticatorAttestationResponse(
            client_data_json=client_data.raw, attestation_object=attestation_object,
            transports=[AuthenticatorTransport(t) for t in known]),
    )
    return RegistrationResponse(credential_id=raw_id, client_data=client_data,
                                attestation_object=attestation_object, transports=known,
                                credential=credential)


def verify_registration(*, rp: RelyingParty, response: RegistrationResponse,
                        expected_challenge: bytes) -> NewPasskey:
    """Verify a registration response (W3C WebAuthn Level 3, section 7.1)."""
    check_client_data(response.client_data, expected_type="webauthn.create",
                      expected_challenge=expected_challenge, rp=rp)
    try:
        attestation = parse_attestation_object(response.attestation_object)
        auth_data_raw = _auth_data_bytes(response.attestation_object)
    except WebAuthnError:
        raise
    except Exception:
        raise WebAuthnError("invalid_credential", "attestationObject is malformed") from None
    parse_and_check_authenticator_data(auth_data_raw, rp=rp)
    _check_none_statement(response.attestation_object)
    attested = attestation.auth_data.attested_credential_data
    if attested is None:
        raise WebAuthnError("invalid_credential", "authenticatorData has no attested credential data")
    if attested.credential_id != response.credential_id:
        raise WebAuthnError("invalid_credential",
                            "the attested credential ID is not the response's rawId")
    try:
        alg = decode_credential_public_key(attested.credential_public_key).alg
    except Exception:
        raise WebAuthnError("invalid_credential", "the credential public key is malformed") from None
    if alg not in rp.algorithms:
        raise WebAuthnError("unsupported_algorithm",
                            f"the credential uses COSE algorithm {alg}, expected one of "
                            f"{list(rp.algorithms)}")
    try:
        verified = verify_registration_response(
            credential=response.credential,
            expected_challenge=expected_challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_presence=True,
            require_user_verification=True,
            supported_pub_key_algs=list(rp.algorithms),  # type: ignore[arg-type]
            pem_root_certs_bytes_by_fmt=rp.attestation.roots,
        )
    except WebAuthnException as exc:
        raise WebAuthnError("invalid_credential", f"registration response refused: {exc}") from None
    except Exception:  # malformed keys or CBOR inside the statement
        raise WebAuthnError("invalid_credential", "the attestation statement is malformed") from None
    verdict = rp.attestation.check(verified)
    return NewPasskey(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        aaguid=verified.aaguid,
        attestation_format=str(getattr(verified.fmt, "value", verified.fmt)),
        transports=response.transports,
        backup_eligible=attestation.auth_data.flags.be,
        backed_up=attestation.auth_data.flags.bs,
        attestation=verdict,
    )


def _check_none_statement(attestation_object: bytes) -> None:
    """WebAuthn L3 section 8.7: a "none" attestation's attStmt is the empty CBOR map.
    py_webauthn only looks at the members it knows, so any other member passed unseen."""
    decoded = parse_cbor(attestation_object)
    if isinstance(decoded, dict) and decoded.get("fmt") == "none" and decoded.get("attStmt") != {}:
        raise WebAuthnError("invalid_credential",
                            'a "none" attestation must carry an empty attStmt (WebAuthn section 8.7)')


def _auth_data_bytes(attestation_object: bytes) -> bytes:
    decoded = parse_cbor(attestation_object)
    auth_data = decoded.get("authData") if isinstance(decoded, dict) else None
    if not isinstance(auth_data, bytes):
        raise WebAuthnError("invalid_credential", "attestationObject.authData is missing")
    return auth_data
