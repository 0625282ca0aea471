"""`DocumentService`: one per app. It holds the sealer, the document store and the settings,
and reads document metadata. `signing.component.init_app(app, directory=...)` builds it; the
identity provider passes the `Directory` through which `signing` learns about citizens and
agencies (it never imports `idp` or `clients`).
"""

from __future__ import annotations

import base64
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

import keys
from infra.components import Slot
from infra.config import Settings
from infra.db import Database
from infra.ops.background import Singleton
from signing.errors import SigningError
from signing.models import Document
from signing.pades import Sealer
from signing.settings import DocumentSettings
from signing.store import DocumentStore

if TYPE_CHECKING:
    from signing.verify.service import AgencyNames

DOCUMENTS: Slot[DocumentService] = Slot("document service")


class DocumentNotFound(SigningError):
    """No document has this id (or it belongs to someone else)."""


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CitizenRef:
    """What documents need to know about a citizen."""

    id: str
    given_name: str
    family_name: str
    national_id: str
    national_id_country: str = ""
    """ISO 3166-1 alpha-2 code of the country that issued `national_id` (its scheme's), for
    the semantic identifier of the citizen's certificate; empty: the PKI's (`[pki] country`)."""

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Directory(Protocol):
    """Citizens and agencies, as the identity provider knows them: readers only. Whatever is
    recorded with a document (the data-sharing log entry, the data kept for wallets) the
    identity provider writes itself, in the transaction it owns (`signing` calls no writer
    of its back)."""

    def citizen(self, citizen_id: str) -> CitizenRef | None: ...

    def citizen_by_national_id(self, national_id: str) -> CitizenRef | None: ...

    def agency_name(self, client_id: str, language: str | None = None) -> str | None: ...

    @property
    def agency_names(self) -> AgencyNames:
        """The reader of agencies' names verification calls in its own transaction (no call
        back into the identity provider while a file is verified)."""


class DocumentService:
    def __init__(self, *, settings: Settings, database: Database, key_service: keys.KeyService,
                 directory: Directory) -> None:
        self.settings = DocumentSettings.load(settings, settings.data_dir)
        self.issuer = settings.issuer.rstrip("/")
        self.country = str(settings["pki"]["country"])
        self.database = database
        self.keys = key_service
        self.directory = directory
        self.store = DocumentStore(self.settings.storage_dir, references=[document_references])
        self.sealer = Sealer(key_service, cache_seconds=self.settings.cache_seconds)
        self.renewal: Singleton | None = None
        """The archive time-stamp task (`signing.archive.ArchiveRenewal`), set by
        `signing.component.init_app`."""

    def warm_up_fonts(self) -> None:
        """Parse the fonts now (pure computation), so the first document is fast."""
        from signing.render import typeface

        for name in (typeface.REGULAR, typeface.BOLD):
            typeface.typeface(name).width("Cédula", 10.0)

    def can_warm_up_keys(self) -> bool:
        """True when opening the key store would create nothing (it was initialised before)."""
        from keys.keystore.masterkey import master_key_path

        section = self.keys.settings["keys"]
        return (str(section["backend"]) != "software" or bool(section.get("master_key"))
                or master_key_path(self.keys.settings.data_dir).exists())

    def warm_up_keys(self) -> None:
        """Open the key store and parse the PKI, so the first seal needs no set-up. Best effort:
        a store or database that is not ready yet (before `cedula db upgrade`, `keys init`, `pki
        init`) is set up by the first seal instead."""
        if not self.can_warm_up_keys():
            return
        try:
            self.sealer.warm_up()
        except Exception as exc:  # the warm-up never decides anything
            # one short line: the driver's text (host, port, user) is no business of every command's log
            from infra.db import is_unavailable

            reason = "the database cannot be reached" if is_unavailable(exc) else type(exc).__name__
            log.info("documents warm-up skipped", extra={"reason": reason})

    # reading -----------------------------------------------------------------------------

    def get(self, document_id: str, *, subject: str | None = None,
            client_id: str | None = None) -> Document:
        """A document by id; with `subject` or `client_id`, only if it is theirs."""
        if not isinstance(document_id, str) or not 10 <= len(document_id) <= 32:
            raise DocumentNotFound(f"no document has the id {document_id!r}")
        with self.database.read() as session:
            row: Document | None = session.get(Document, document_id)
        if row is None or (subject is not None and row.subject != subject) or (
                client_id is not None and row.client_id != client_id):
            raise DocumentNotFound(f"no document has the id {document_id!r}")
        return row

    def for_subject(self, subject: str, *, limit: int = 200) -> list[Document]:
        """A citizen's documents, newest first (one indexed query)."""
        with self.database.read() as session:
            return list(session.scalars(
                sa.select(Document).where(Document.subject == subject)
                .order_by(Document.issued_at.desc()).limit(limit)))

    def pdf(self, document: Document) -> bytes:
        return self.store.read(document.sha256)

    def verify_url(self, csv: str) -> str:
        return f"{self.issuer}/verify/{csv}"


def document_references(session: Session, sha256: str) -> bool:
    """Whether a committed document is stored under `sha256` (indexed)."""
    return session.scalar(sa.select(Document.id).where(Document.sha256 == sha256).limit(1)) is not None


@dataclass(frozen=True)
class SubjectRevocation:
    """What `revoke_everything_of` revoked: document ids by kind, and the agencies concerned."""

    sealed: tuple[str, ...]
    """Documents agencies issued (sealed) to the citizen."""
    signed: tuple[str, ...]
    """PDFs the citizen signed."""
    agencies: tuple[str, ...]


def revoke_everything_of(session: Session, subject: str, *, reason: str,
                         now: datetime) -> SubjectRevocation:
    """Revoke, in the caller's transaction, every valid document of the citizen `subject` (the
    internal id): issued and citizen-signed, each with `reason` (verification by code and by
    upload then reports it revoked; wallet credentials of those documents are invalid in their
    status lists, which derive from the document's status). Rows are locked; documents already
    revoked or superseded keep what they say."""
    rows = list(session.scalars(
        sa.select(Document).where(Document.subject == subject, Document.status == "valid")
        .order_by(Document.issued_at, Document.id).with_for_update()))
    at = now.replace(microsecond=0)
    for row in rows:
        row.status, row.revoked_at, row.revocation_reason = "revoked", at, reason
    session.flush()
    return SubjectRevocation(
        sealed=tuple(r.id for r in rows if r.kind == "sealed"),
        signed=tuple(r.id for r in rows if r.kind == "citizen-signed"),
        agencies=tuple(sorted({r.client_id for r in rows if r.client_id})))


def new_document_id() -> str:
    """A random public id: 130 bits in 26 lower-case base32 characters (safe in URLs, file
    names and command lines: never starts with "-")."""
    return base64.b32encode(secrets.token_bytes(17)).decode().rstrip("=").lower()[:26]


def get_documents(app: Flask | None = None) -> DocumentService:
    return DOCUMENTS.of(app)
