"""OpenAPI 3.1 descriptions of the WebAuthn JSON API (W3C WebAuthn Level 3 JSON forms)."""

from __future__ import annotations

from typing import Any

from infra.openapi import OUTAGE

ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: {"description": text, "content": {"application/json": {"schema": ERROR}}}
            for code, text in {
                "400": "Refused: `error` is one of invalid_request, invalid_challenge, "
                       "challenge_expired, invalid_origin, invalid_rp_id, "
                       "user_presence_required, user_verification_required, "
                       "unknown_credential, sign_count_regression, invalid_credential, "
                       "unsupported_algorithm, enrolment_refused, invalid_field",
                "401": "login_required: no signed-in citizen",
                "403": "invalid_origin (Origin header), forbidden, "
                       "credential_suspect (the passkey's counter went back once: blocked "
                       "until the citizen removes it), or "
                       "reauthentication_required (adding a passkey needs a fresh passkey "
                       "check, at the options and at the verify step: send the citizen to "
                       "`reauth_uri`)",
                "409": "credential_exists",
                "413": "request_too_large",
                "415": "unsupported_media_type: send application/json",
                "429": "too_many_requests (Retry-After)",
            }.items() if code in codes}


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


SCHEMAS: dict[str, Any] = {
    "EnrolmentFields": {
        "type": "object",
        "description": "The enrolment form's fields; send {} instead to add a passkey while signed in.",
        "properties": {
            "given_name": {"type": "string", "maxLength": 100},
            "family_name": {"type": "string", "maxLength": 100},
            "birthdate": {"type": "string", "format": "date"},
            "national_id": {"type": "string"},
            "email": {"type": "string", "format": "email", "maxLength": 254},
        },
    },
    "PublicKeyCredentialCreationOptionsJSON": {
        "type": "object",
        "description": "W3C WebAuthn Level 3, section 5.4 (JSON form): give it to "
                       "PublicKeyCredential.parseCreationOptionsFromJSON().",
        "required": ["rp", "user", "challenge", "pubKeyCredParams"],
    },
    "PublicKeyCredentialRequestOptionsJSON": {
        "type": "object",
        "description": "W3C WebAuthn Level 3, section 5.5 (JSON form): give it to "
                       "PublicKeyCredential.parseRequestOptionsFromJSON().",
        "required": ["challenge"],
    },
    "RegistrationResponseJSON": {
        "type": "object",
        "description": "W3C WebAuthn Level 3, section 5.1.3: PublicKeyCredential.toJSON() "
                       "after navigator.credentials.create().",
        "required": ["id", "rawId", "type", "response"],
    },
    "AuthenticationResponseJSON": {
        "type": "object",
        "description": "W3C WebAuthn Level 3, section 5.1.4: PublicKeyCredential.toJSON() "
                       "after navigator.credentials.get().",
        "required": ["id", "rawId", "type", "response"],
    },
    "CeremonyResult": {
        "type": "object",
        "required": ["status", "redirect"],
        "properties": {"status": {"const": "ok"},
                       "redirect": {"type": "string", "description": "Where the browser goes next"}},
    },
}

PATHS: dict[str, Any] = {
    "/webauthn/registration/options": {"post": {
        "summary": "Start enrolment (with the enrolment fields) or add a passkey (empty object, signed in)",
        "requestBody": {"required": False, **_json("EnrolmentFields")},
        "responses": {"200": {"description": "Creation options", **_json("PublicKeyCredentialCreationOptionsJSON")},
                      **_errors("400", "401", "403", "413", "415", "429"), "503": OUTAGE},
    }},
    "/webauthn/registration/verify": {"post": {
        "summary": "Finish registration; enrolment signs the new citizen in (sets the session cookie)",
        "requestBody": {"required": True, **_json("RegistrationResponseJSON")},
        "responses": {"200": {"description": "Registered", **_json("CeremonyResult")},
                      **_errors("400", "401", "403", "409", "413", "415"), "503": OUTAGE},
    }},
    "/webauthn/authentication/options": {"post": {
        "summary": "Start a usernameless sign-in (discoverable credential, user verification required)",
        "requestBody": {"required": False, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": {"description": "Request options", **_json("PublicKeyCredentialRequestOptionsJSON")},
                      **_errors("400", "403", "413", "415", "429"), "503": OUTAGE},
    }},
    "/webauthn/authentication/verify": {"post": {
        "summary": "Finish sign-in; sets the SSO session cookie",
        "requestBody": {"required": True, **_json("AuthenticationResponseJSON")},
        "responses": {"200": {"description": "Signed in", **_json("CeremonyResult")},
                      **_errors("400", "403", "413", "415"), "503": OUTAGE},
    }},
}
