"""Recording a document `signing` made, in the caller's transaction.

A document an agency issued (`record_issued`): its row and count (`signing.issuance.store`),
the data-sharing log entry and the data kept for wallets. The documents API
(`idp.documents.api`) and `cedula documents issue` (`idp.documents.cli`) both seal with
`signing.issuance.seal` and record here. A PDF the citizen signed (`record_signed`): its row and
count (`signing.citizen_signature.store`) and the log entry; the pages sign with
`signing.citizen_signature.sign_pdf` and record here. Each goes from idp to signing once, and
signing calls nothing of idp back."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clients.registry import Client
from idp.citizens.models import CLOSED_PREFIX, FROZEN_PREFIX, Citizen
from idp.consent import basis_for
from idp.consent.models import Consent
from idp.documents.directory import declared_purpose, log_release
from idp.oidc import claims, standing
from idp.wallet.credential import keep_data
from signing import citizen_signature, issuance
from signing.citizen_signature import SignedDocument, SignedPdf
from signing.issuance import IssuanceResult, SealedDocument
from signing.store import StoredFile
from signing.templates.holder import same_national_id

ISSUED_CLAIMS = ("name",)
"""What an issued document discloses of the register to the agency (it downloads the PDF): the
citizen's full name, printed by `signing.issuance.seal` (the agency sent the rest itself), and
the national ID when the document carries the register's (`issued_claims`)."""


def may_learn_national_id(client: Any) -> bool:
    """Whether the register's national ID may be printed in a document the agency receives:
    like the `national_id` claim (`idp.oidc.claims.RESTRICTED`), only for an agency an operator
    granted that scope. Any other gets a document without it unless it sent it itself: a
    global identifier would let agencies in different sectors join their pairwise subjects."""
    return claims.allowed("national_id", str(client.client_metadata.get("scope", "")).split())


def signature_recipient_may_learn_national_id(session: Session, client_id: str | None) -> bool:
    """Whether the citizen's certificate in a signed PDF may name their national ID: always when
    the PDF is the citizen's own (no agency receives it from Cédula); for a document an agency
    prepared, which it downloads signed, only if it may learn it (`may_learn_national_id`)."""
    from clients.registry import ClientNotFound, find_client

    if client_id is None:
        return True
    try:
        return may_learn_national_id(find_client(session, client_id, enabled_only=False))
    except ClientNotFound:
        return False


def signed_claims(signed: SignedPdf) -> tuple[str, ...]:
    """What a signed PDF discloses of the register to the agency that prepared it (none when it
    is the citizen's own): the name in the citizen's certificate, and the national ID when the
    certificate carries it (`signing.citizen_signature.SignedPdf.identified`)."""
    if signed.client_id is None:
        return ()
    return (*ISSUED_CLAIMS, "national_id") if signed.identified else ISSUED_CLAIMS


def issued_claims(data: Any, national_id: str) -> tuple[str, ...]:
    """The register's data a document with the template data `data` discloses to its agency:
    the name, and the national ID when the document carries the citizen's (printed from the
    register, or confirmed against it), so the data-sharing log says so."""
    document = data.get("identity_document") if isinstance(data, Mapping) else None
    number = document.get("number") if isinstance(document, Mapping) else None
    if (isinstance(document, Mapping) and document.get("kind") == "national_id" and national_id
            and isinstance(number, str) and same_national_id(number, national_id)):
        return (*ISSUED_CLAIMS, "national_id")
    return ISSUED_CLAIMS


class SubjectGone(Exception):
    """The citizen a document names was frozen by a reclaim or closed while it was sealed."""


class ConsentGone(Exception):
    """The citizen's consent to the agency was withdrawn (or lapsed) while its document was
    sealed: the document, which names the citizen, is not released to it."""


def may_name(session: Any, client: Any, citizen_id: Any, *, lock: bool = False) -> bool:
    """Whether the agency may receive a document that names the citizen (the register's full
    name is printed in it): on the legal basis of a law the operator set for it, or while the
    citizen's consent to it stands for the purpose it declares (`idp.oidc.standing`). `lock`:
    in the transaction that logs the release, the citizen's consents to the agency are first
    locked (shared: PostgreSQL's FOR SHARE; SQLite's writer lock holds the whole transaction),
    so a withdrawal (`idp.consent.services.revoke`, which locks them for update) either commits
    before this reads them (and the release is refused) or waits for the release's commit."""
    basis, _law = basis_for(client.client_id)
    if basis != "consent":
        return True
    citizen = uuid.UUID(str(citizen_id))
    if lock:
        session.execute(sa.select(Consent.id).where(Consent.citizen_id == citizen,
                                                    Consent.client_id == client.client_id,
                                                    Consent.revoked_at.is_(None)).with_for_update(read=True))
    decision = standing.newest_decision(session, citizen_id=citizen, client_id=client.client_id)
    return standing.refusal(decision, datetime.now(UTC), client.client_metadata) is None


def _still_named(session: Session, citizen_id: str) -> str:
    """The citizen's row, locked until the commit (shared: PostgreSQL's FOR SHARE; SQLite's
    writer lock holds the whole transaction), is still an account that names someone: a reclaim
    (`idp.assurance.reclaim`, which revokes what the frozen account holds in its own
    transaction) or a closure that committed while the document was being sealed would
    otherwise find nothing to revoke, and the document would stay valid in a name nobody holds.
    """
    national_id = session.scalar(sa.select(Citizen.national_id)
                                 .where(Citizen.id == uuid.UUID(str(citizen_id)))
                                 .with_for_update(read=True))
    if national_id is None or national_id.startswith((FROZEN_PREFIX, CLOSED_PREFIX)):
        raise SubjectGone(citizen_id)
    return national_id


def record_issued(session: Session, sealed: SealedDocument, stored: StoredFile, *,
                  agency: Client, consent_checked: bool = True) -> IssuanceResult:
    """A document exists if and only if all of these do (one transaction, the caller's);
    `SubjectGone` (nothing written) when its citizen was frozen or closed meanwhile,
    `ConsentGone` (nothing written) when the agency may no longer name the citizen (`may_name`:
    the consent the request was checked against was withdrawn or lapsed while the document was
    sealed). `consent_checked=False`: an operator's issuance at the counter
    (`cedula documents issue`), which never asked for the citizen's consent."""
    national_id = _still_named(session, sealed.citizen_id)
    if consent_checked and not may_name(session, agency, sealed.citizen_id, lock=True):
        raise ConsentGone(sealed.citizen_id)
    issued = issuance.store(session, sealed, stored)
    log_release(session, event="document.issued", citizen_id=sealed.citizen_id, client_id=agency.client_id,
                purpose=agency.client_metadata.get("purpose"), document_id=issued.id,
                claims=issued_claims(sealed.data, national_id))
    keep_data(session, document_id=issued.id, template=sealed.template, client_id=agency.client_id,
              citizen_id=sealed.citizen_id, data=sealed.data)
    return issued


def record_signed(session: Session, signed: SignedPdf, stored: StoredFile) -> SignedDocument:
    """A citizen's signed PDF and its data-sharing log entry (one transaction, the caller's);
    the agency that prepared the document, if any, is named with its declared purpose and what
    the signed PDF tells it of the citizen (`signed_claims`)."""
    document = citizen_signature.store(session, signed, stored)
    purpose = declared_purpose(session, signed.client_id) if signed.client_id else None
    log_release(session, event="signature.made", citizen_id=signed.citizen_id, client_id=signed.client_id,
                purpose=purpose, document_id=document.id, claims=signed_claims(signed))
    return document


__all__ = ["ConsentGone", "SubjectGone", "issued_claims", "may_learn_national_id", "may_name", "record_issued",
           "record_signed", "signature_recipient_may_learn_national_id", "signed_claims"]
