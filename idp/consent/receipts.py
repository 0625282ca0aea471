"""Consent receipts: a signed JWS (RFC 7515, compact) per decision, with the elements of a
consent record of ISO/IEC TS 27560:2023 (section 6) that apply to a sign-in with Cédula.

The receipt is signed with the data-sharing log's own key (`idp.audit.log_key`; `typ`
consent-receipt+jwt, RFC 8725 section 3.11 explicit typing), never with a rotating OIDC key:
log keys are never rotated out, so a receipt verifies for as long as the citizen keeps it,
against `<issuer>/audit/log-keys.json` (`verify_receipt`). It names claims, never their values.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from idp.consent.models import Consent
from infra.jose import JoseError, unverified
from infra.utc import as_utc

RECEIPT_TYP = "consent-receipt+jwt"
SCHEMA = "ISO/IEC TS 27560:2023"

# Signs claims as a compact JWS with the provider's key (keys.sign_jwt bound to the app).
ReceiptSigner = Callable[[Mapping[str, Any]], str]


def _iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC, to the second."""
    return None if moment is None else as_utc(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def receipt_claims(*, consent: Consent, issuer: str, event: str, at: datetime,
                   language: str) -> dict[str, Any]:
    """The receipt of one event ("given" or "withdrawn") of a consent record."""
    status = "withdrawn" if event == "withdrawn" else "active"
    basis: dict[str, Any] = {"type": consent.legal_basis}
    if consent.law:
        basis["law"] = consent.law
    return {
        "iss": issuer,
        "iat": int(at.timestamp()),
        "jti": str(uuid.uuid4()),
        "schema_version": SCHEMA,
        "record_id": str(consent.id),
        "pii_principal_id": str(consent.citizen_id),
        "language": language,
        "pii_controllers": [{"name": consent.agency_name, "id": consent.client_id}],
        "pii_processor": {"name": "Cédula", "url": issuer, "role": "identity provider"},
        "purposes": [{
            "purpose": consent.purpose or "",
            "lawful_basis": basis,
            "pii_categories": sorted(n for n in consent.claims if n != "offline_access"),
            "declined_pii_categories": sorted(n for n in consent.declined if n != "offline_access"),
            "continued_access": "offline_access" in consent.claims,
            "third_party_disclosure": False,
        }],
        "consent_type": "explicit",
        "collection_method": f"web form at {issuer}/authorize (OpenID Connect authorization)",
        "event": {"type": event, "time": _iso(at)},
        "consent_status": status,
        "given_at": _iso(consent.given_at),
        "expiry_time": _iso(consent.expires_at),
        "withdrawal_method": f"{issuer}/account/agencies",
    }


def log_key_signer(keys: Any) -> ReceiptSigner:
    """Receipts signed by the log's current key (`idp.audit.LogKeys`)."""

    def sign(claims: Mapping[str, Any]) -> str:
        return keys.sign(claims, typ=RECEIPT_TYP)[0]

    return sign


def verify_receipt(token: str, trusted: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The claims of a receipt signed by one of the log keys `trusted` (kid -> JWK); ValueError
    says what is wrong."""
    from idp.audit.log_key import verify_compact

    try:
        kid = unverified(token).header.get("kid")  # which log key to check it with
    except JoseError:
        raise ValueError("the receipt is not a JWS") from None
    key = trusted.get(str(kid))
    if key is None:
        raise ValueError(f"the receipt is signed by a key that is not one of the log's keys (kid {kid!r})")
    return verify_compact(token, key, typ=RECEIPT_TYP, kid=str(kid))
