"""Everything Cédula holds about a citizen, as one JSON document (GDPR art. 15 and 20):
profile, passkeys' metadata (never key material), the sign-in history, consents with their signed receipts, the
data-sharing log (checkable offline) and the list of documents issued to or signed by them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp import audit
from idp.account.models import SignIn
from idp.citizens.models import Citizen, Passkey
from idp.consent.models import Consent
from idp.consent.services import history
from infra.utc import rfc3339

FORMAT = "cedula-account-export/1"


def consent_json(consent: Consent) -> dict[str, Any]:
    return {"id": str(consent.id), "agency": consent.client_id, "agency_name": consent.agency_name,
            "purpose": consent.purpose, "legal_basis": consent.legal_basis, "law": consent.law,
            "claims": list(consent.claims), "declined": list(consent.declined),
            "given_at": rfc3339(consent.given_at), "expires_at": rfc3339(consent.expires_at),
            "last_used_at": rfc3339(consent.last_used_at), "superseded_at": rfc3339(consent.superseded_at),
            "revoked_at": rfc3339(consent.revoked_at), "receipt": consent.receipt,
            "withdrawal_receipt": consent.withdrawal_receipt}


def documents(session: Session, citizen_id: str) -> list[dict[str, Any]]:
    """Documents issued to or signed by the citizen (`signing/`'s metadata, never the PDFs)."""
    try:
        from signing.models import Document
    except ImportError:  # a deployment without signing/: the log still lists issued documents
        return []
    if not sa.inspect(session.connection()).has_table(Document.__tablename__):
        return []
    rows = session.scalars(sa.select(Document).where(Document.subject == citizen_id)
                           .order_by(Document.issued_at.desc()))
    return [{"id": d.id, "verification_code": d.csv, "title": d.title, "kind": d.kind,
             "template": d.template, "agency": d.client_id, "issued_at": rfc3339(d.issued_at),
             "status": d.status, "sha256": d.sha256} for d in rows]


def account_export(session: Session, *, citizen_id: str, issuer: str, now: datetime) -> dict[str, Any]:
    citizen = session.get(Citizen, uuid.UUID(citizen_id))
    if citizen is None:
        raise LookupError("no such citizen")
    passkeys = session.scalars(sa.select(Passkey).where(Passkey.citizen_id == citizen.id)
                               .order_by(Passkey.created_at))
    return {
        "format": FORMAT,
        "issuer": issuer,
        "generated_at": rfc3339(now),
        "profile": {"id": str(citizen.id), "given_name": citizen.given_name,
                    "family_name": citizen.family_name, "birthdate": citizen.birthdate.isoformat(),
                    "national_id_scheme": citizen.national_id_scheme, "national_id": citizen.national_id,
                    "email": citizen.email, "enrolled_at": rfc3339(citizen.created_at)},
        "passkeys": [{"name": p.name, "aaguid": p.aaguid, "created_at": rfc3339(p.created_at),
                      "last_used_at": rfc3339(p.last_used_at), "synced": p.backup_eligible,
                      "backed_up": p.backed_up, "transports": list(p.transports or []),
                      "attestation_format": p.attestation_format} for p in passkeys],
        "sign_ins": [{"at": rfc3339(s.at), "kind": s.kind, "device": s.device, "passkey_name": s.passkey_name}
                     for s in session.scalars(sa.select(SignIn).where(SignIn.citizen_id == citizen.id)
                                              .order_by(SignIn.at.desc()))],
        "consents": [consent_json(c) for c in history(session, citizen_id=citizen_id)],
        "documents": documents(session, citizen_id),
        "log": audit.citizen_bundle(session, citizen_id=citizen_id, issuer=issuer, now=now),
    }
