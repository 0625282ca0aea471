"""Issuing a document: validate the data, render the PDF, seal it (`seal`), store it (`store`,
in the caller's transaction); `issue` does both, for callers that record nothing else (tests
and benchmarks). The caller reads what the identity provider knows (the agency's name) and
passes it in: nothing here calls the identity provider back.

A failure at any step leaves nothing behind: no document row, and no file (a file written for
a transaction that then fails is removed again, `DocumentStore.staged`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from infra.indicators import tally
from signing import csv as verification_code
from signing.errors import RenderError
from signing.i18n import LANGUAGES, check_language, format_datetime, text
from signing.models import Document
from signing.pades import SignatureField, check_level
from signing.render import render
from signing.service import CitizenRef, DocumentService, new_document_id
from signing.stamp import SignatureStampStyle
from signing.store import StoredFile
from signing.templates import get_template, holder

DEFAULT_LANGUAGE = LANGUAGES[0]


@dataclass(frozen=True)
class IssuanceResult:
    id: str
    csv: str
    sha256: str
    template: str
    level: str
    language: str
    title: str
    issued_at: datetime
    verify_url: str
    size: int


@dataclass(frozen=True)
class SealedDocument:
    """A document rendered and sealed, not stored yet (`store` records it)."""

    id: str
    csv: str
    pdf: bytes
    template: str
    client_id: str
    citizen_id: str
    language: str
    level: str
    title: str
    issued_at: datetime
    verify_url: str
    signer_serial: str
    data: Mapping[str, Any]
    """The template's clean data: what the document says."""


def seal(service: DocumentService, *, client_id: str, agency_name: str, template: str,
         citizen: CitizenRef, data: Mapping[str, Any], language: str | None = None,
         level: str | None = None, now: datetime | None = None,
         fill_national_id: bool = True) -> SealedDocument:
    """Render `template` with `data` for `citizen` and seal it as the agency `client_id` (named
    `agency_name` in the citizen's language). Nothing is stored: `store` does that, in the
    caller's transaction.

    The holder's fields are the register's (`signing.templates.holder`): filled when left
    out, refused when they name someone else; the register's national ID only with
    `fill_national_id` (the agency may learn it).

    Raises `UnknownTemplate`, `InvalidTemplateData` (every bad field named), `RenderError`,
    `SealUnavailable` (no seal certificate) or `SealError`.
    """
    chosen = get_template(template)
    language = check_language(language or DEFAULT_LANGUAGE)
    level = check_level(level or service.settings.level)
    issued_at = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    printed_at = issued_at.astimezone(service.settings.time_zone)  # the deployment's local time
    # the holder is the register's citizen
    data = holder.bind(chosen.name, data, citizen, fill_national_id=fill_national_id)
    csv = verification_code.generate()
    verify_url = service.verify_url(csv)
    rendered = render(chosen, data, language=language, agency_name=agency_name, issued_at=printed_at,
                      csv=csv, verify_url=verify_url, citizen_name=citizen.full_name,
                      paper=service.settings.paper)
    stamp = SignatureStampStyle(kicker=text("documents.seal.kicker", language),
                                name=agency_name, when=format_datetime(printed_at, language))
    field = SignatureField(
        name="Seal", page=rendered.signature_page, box=rendered.signature_box, stamp=stamp,
        description=text("documents.seal.description", language, agency=agency_name), tag=True)
    sealed = service.sealer.seal(rendered.pdf, client_id=client_id, level=level, field=field,
                                 reason=text("documents.seal.reason", language, title=rendered.title))
    return SealedDocument(
        id=new_document_id(), csv=csv, pdf=sealed.pdf, template=chosen.name, client_id=client_id,
        citizen_id=citizen.id, language=language, level=level, title=rendered.title,
        issued_at=issued_at, verify_url=verify_url, signer_serial=sealed.signer_serial,
        data=rendered.data)


def store(session: Session, sealed: SealedDocument, stored: StoredFile) -> IssuanceResult:
    """Record a sealed document whose bytes are `stored` (`DocumentStore.staged`), in the
    caller's transaction: its `Document` row and the count of documents issued."""
    session.add(Document(
        id=sealed.id, csv=sealed.csv, sha256=stored.sha256, size=stored.size, kind="sealed",
        template=sealed.template, client_id=sealed.client_id, subject=sealed.citizen_id,
        language=sealed.language, title=sealed.title, file_name=file_name(sealed.title, sealed.csv),
        issued_at=sealed.issued_at, level=sealed.level, signer_serial=sealed.signer_serial,
        status="valid"))
    tally(session, "document.issued", agency=sealed.client_id, dimension=sealed.template[:64])
    return IssuanceResult(id=sealed.id, csv=sealed.csv, sha256=stored.sha256, template=sealed.template,
                          level=sealed.level, language=sealed.language, title=sealed.title,
                          issued_at=sealed.issued_at, verify_url=sealed.verify_url, size=stored.size)


def issue(service: DocumentService, *, client_id: str, agency_name: str, template: str,
          citizen: CitizenRef, data: Mapping[str, Any], language: str | None = None,
          level: str | None = None, now: datetime | None = None) -> IssuanceResult:
    """`seal` and `store` in one transaction of its own, for callers that record nothing else
    (tests and benchmarks). The identity provider's callers (the documents API, `cedula
    documents issue`) seal, then record the document with its data-sharing log entry and the
    data kept for wallets in their own transaction (`idp.documents.issuing.record_issued`).

    Raises what `seal` raises.
    """
    sealed = seal(service, client_id=client_id, agency_name=agency_name, template=template,
                  citizen=citizen, data=data, language=language, level=level, now=now)
    with service.store.staged(sealed.pdf, service.database) as (stored, session):
        return store(session, sealed, stored)


def file_name(title: str, csv: str) -> str:
    """A download name such as `Certificado-de-residencia-7KQ4-M2XH.pdf` (ASCII only)."""
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_title).split()
    base = "-".join(words)[:80] or "document"
    return f"{base}-{csv[:9]}.pdf"


__all__ = ["IssuanceResult", "RenderError", "SealedDocument", "issue", "seal", "store"]
