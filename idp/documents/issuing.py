"""Recording a document `signing` sealed for an agency, in the caller's transaction: its row
and count (`signing.issuance.store`), the data-sharing log entry and the data kept for wallets.
The documents API (`idp.documents.api`) and `cedula documents issue` (`idp.documents.cli`)
both seal with `signing.issuance.seal` and record here: each goes from idp to signing once,
and signing calls nothing of idp back."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clients.registry import Client
from idp.documents.directory import log_release
from idp.wallet.credential import keep_data
from signing import issuance
from signing.issuance import IssuanceResult, SealedDocument
from signing.store import StoredFile


def record_issued(session: Session, sealed: SealedDocument, stored: StoredFile, *,
                  agency: Client) -> IssuanceResult:
    """A document exists if and only if all of these do (one transaction, the caller's)."""
    issued = issuance.store(session, sealed, stored)
    log_release(session, event="document.issued", citizen_id=sealed.citizen_id, client_id=agency.client_id,
                purpose=agency.client_metadata.get("purpose"), document_id=issued.id)
    keep_data(session, document_id=issued.id, template=sealed.template, client_id=agency.client_id,
              citizen_id=sealed.citizen_id, data=sealed.data)
    return issued


__all__ = ["record_issued"]
