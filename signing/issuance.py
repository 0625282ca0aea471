"""Issuing a document: validate the data, render the PDF, seal it, store it (one transaction).

A failure at any step leaves nothing behind: no document row, and no file (a file written for
a transaction that then fails is removed again, `DocumentStore.staged`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infra.indicators import tally
from signing import csv as verification_code
from signing.errors import RenderError, SigningError
from signing.i18n import check_language, format_datetime, text
from signing.models import Document
from signing.pades import SignatureField, check_level
from signing.render import render
from signing.service import CitizenRef, DocumentService, new_document_id
from signing.stamp import SignatureStampStyle
from signing.templates import get_template


class UnknownAgency(SigningError):
    """The client issuing the document is not a registered agency."""


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


def issue(service: DocumentService, *, client_id: str, template: str, citizen: CitizenRef,
          data: Mapping[str, Any], language: str | None = None, level: str | None = None,
          now: datetime | None = None) -> IssuanceResult:
    """Render `template` with `data` for `citizen`, seal it as the agency `client_id`, store it.

    The directory keeps the clean data in the same transaction (`Directory.keep_data`: the
    identity provider issues the same document to wallets too).

    Raises `UnknownTemplate`, `InvalidTemplateData` (every bad field named), `RenderError`,
    `UnknownAgency`, `SealUnavailable` (no seal certificate) or `SealError`.
    """
    chosen = get_template(template)
    language = check_language(language or "es")
    level = check_level(level or service.settings.level)
    agency = service.directory.agency_name(client_id, language)
    if not agency:
        raise UnknownAgency(f"client {client_id!r} is not a registered agency")
    issued_at = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    printed_at = issued_at.astimezone(service.settings.time_zone)  # the deployment's local time
    csv = verification_code.generate()
    verify_url = service.verify_url(csv)
    rendered = render(chosen, data, language=language, agency_name=agency, issued_at=printed_at,
                      csv=csv, verify_url=verify_url, citizen_name=citizen.full_name,
                      paper=service.settings.paper)
    stamp = SignatureStampStyle(kicker=text("documents.seal.kicker", language),
                                name=agency, when=format_datetime(printed_at, language))
    field = SignatureField(
        name="Seal", page=rendered.signature_page, box=rendered.signature_box, stamp=stamp,
        description=text("documents.seal.description", language, agency=agency), tag=True)
    sealed = service.sealer.seal(rendered.pdf, client_id=client_id, level=level, field=field,
                                 reason=text("documents.seal.reason", language, title=rendered.title))
    document_id = new_document_id()
    with service.store.staged(sealed.pdf) as stored, service.database.transaction() as session:
        session.add(Document(
            id=document_id, csv=csv, sha256=stored.sha256, size=stored.size, kind="sealed",
            template=chosen.name, client_id=client_id, subject=citizen.id, language=language,
            title=rendered.title, file_name=file_name(rendered.title, csv), issued_at=issued_at,
            level=level, signer_serial=sealed.signer_serial, status="valid"))
        service.directory.record(session, event="document.issued", citizen_id=citizen.id,
                                 client_id=client_id, document_id=document_id)
        tally(session, "document.issued", agency=client_id, dimension=chosen.name[:64])
        service.directory.keep_data(session, document_id=document_id, template=chosen.name,
                                    client_id=client_id, citizen_id=citizen.id,
                                    data=rendered.data)
    return IssuanceResult(id=document_id, csv=csv, sha256=stored.sha256, template=chosen.name,
                          level=level, language=language, title=rendered.title,
                          issued_at=issued_at, verify_url=verify_url, size=stored.size)


def file_name(title: str, csv: str) -> str:
    """A download name such as `Certificado-de-residencia-7KQ4-M2XH.pdf` (ASCII only)."""
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_title).split()
    base = "-".join(words)[:80] or "document"
    return f"{base}-{csv[:9]}.pdf"


__all__ = ["IssuanceResult", "RenderError", "UnknownAgency", "issue"]
