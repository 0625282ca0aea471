"""OpenAPI 3.1 description of the passkey re-check before sensitive actions (idp.account.reauth)."""

from __future__ import annotations

from typing import Any

from idp.webauthn.openapi import _errors, _json

PATHS: dict[str, Any] = {
    "/account/reauth/options": {"post": {
        "summary": "Start a passkey re-check of the signed-in citizen (only their passkeys, "
                   "user verification required)",
        "requestBody": {"required": False,
                        "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": {"description": "Request options",
                              **_json("PublicKeyCredentialRequestOptionsJSON")},
                      **_errors("401", "403", "413", "415", "429")},
    }},
    "/account/reauth/verify": {"post": {
        "summary": "Finish the re-check: the session's passkey check is now fresh "
                   "(account.reauth_seconds) and its cookie is replaced",
        "requestBody": {"required": True, **_json("AuthenticationResponseJSON")},
        "responses": {"200": {"description": "Confirmed",
                              "content": {"application/json": {"schema": {
                                  "type": "object", "required": ["status"],
                                  "properties": {"status": {"const": "ok"}}}}}},
                      **_errors("400", "401", "403", "413", "415", "429")},
    }},
}
