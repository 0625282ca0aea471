"""Consent receipts and the data-sharing log for people: the rows a page shows and the blocks
of their PDF copies (`signing.render.report`), in the citizen's language.

Pure functions: the caller passes `text` (gettext) and `when` (a moment in the citizen's
language and time zone, the `|datetime` filter), so pages and PDFs say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from idp.consent.models import Consent
from infra.utc import as_utc
from signing.render.blocks import Block, Bullets, Facts, Grid, Heading, Paragraph

Text = Callable[..., str]
When = Callable[[datetime], str]


def claim_label(name: str, text: Text) -> str:
    return text("consent.item.offline_short") if name == "offline_access" else text(f"oidc.claim.{name}")


def basis_text(legal_basis: str, law: str | None, text: Text) -> str:
    return text("consent.basis.law", law=law) if legal_basis == "law" else text("consent.basis.consent")


@dataclass(frozen=True)
class Receipt:
    """One consent decision, as the receipt page shows it."""

    id: str
    agency: str
    client_id: str
    purpose: str | None
    basis: str
    claims: tuple[str, ...]
    declined: tuple[str, ...]
    given_at: datetime
    expires_at: datetime
    status: str  # "active" | "expired" | "superseded" | "withdrawn"
    ended_at: datetime | None
    has_withdrawal_receipt: bool


def receipt(consent: Consent, *, text: Text, now: datetime) -> Receipt:
    given = as_utc(consent.given_at)
    expires = as_utc(consent.expires_at)
    assert given is not None and expires is not None
    if consent.revoked_at is not None:
        status, ended = "withdrawn", as_utc(consent.revoked_at)
    elif consent.superseded_at is not None:
        status, ended = "superseded", as_utc(consent.superseded_at)
    elif expires <= now:
        status, ended = "expired", expires
    else:
        status, ended = "active", None
    return Receipt(
        id=str(consent.id), agency=consent.agency_name, client_id=consent.client_id,
        purpose=consent.purpose, basis=basis_text(consent.legal_basis, consent.law, text),
        claims=tuple(claim_label(n, text) for n in consent.claims),
        declined=tuple(claim_label(n, text) for n in consent.declined),
        given_at=given, expires_at=expires, status=status, ended_at=ended,
        has_withdrawal_receipt=bool(consent.withdrawal_receipt))


def receipt_blocks(item: Receipt, *, text: Text, when: When, withdraw_url: str) -> list[Block]:
    rows: list[tuple[str, str]] = [(text("consent.receipt.agency"), item.agency)]
    if item.purpose:
        rows.append((text("consent.agencies.purpose"), item.purpose))
    rows += [(text("consent.agencies.basis"), item.basis),
             (text("consent.agencies.given"), when(item.given_at)),
             (text("consent.receipt.status"), status_text(item, text=text, when=when)),
             (text("consent.receipt.id"), item.id)]
    blocks: list[Block] = [Paragraph(text("consent.receipt.intro", agency=item.agency)),
                           Facts(tuple(rows)),
                           Heading(text("consent.receipt.claims")),
                           Bullets(item.claims) if item.claims else Paragraph(text("consent.receipt.no_claims"))]
    if item.declined:
        blocks += [Heading(text("consent.receipt.declined")), Bullets(item.declined)]
    blocks += [Heading(text("consent.receipt.withdraw_title")),
               Paragraph(text("consent.receipt.withdraw", url=withdraw_url)),
               Paragraph(text("consent.receipt.signed_copy"), muted=True)]
    return blocks


def status_text(item: Receipt, *, text: Text, when: When) -> str:
    if item.status == "active":
        return text("consent.receipt.status_active", until=when(item.expires_at))
    assert item.ended_at is not None
    return text(f"consent.receipt.status_{item.status}", when=when(item.ended_at))


def log_rows(entries: Iterable[Mapping[str, Any]], *, text: Text,
             when: When) -> list[tuple[str, str, str, str, str]]:
    """(when, agency, what, data, basis) per log entry, as the page's table and the PDF show them."""
    rows = []
    for entry in entries:
        what = text(f"audit.event.{entry['event']}")
        if entry.get("purpose"):
            what = f"{what} — {entry['purpose']}"
        data = ", ".join(claim_label(n, text) for n in entry.get("claims") or ()) or "—"
        rows.append((when(entry["at"]), entry.get("agency") or "—", what, data,
                     basis_text(entry.get("legal_basis") or "consent", entry.get("law"), text)))
    return rows


def log_blocks(rows: Sequence[tuple[str, str, str, str, str]], *, text: Text, total: int,
               generated: str) -> list[Block]:
    blocks: list[Block] = [Paragraph(text("audit.log.intro")),
                           Paragraph(text("audit.log.pdf_generated", when=generated, total=total),
                                     muted=True)]
    if not rows:
        return [*blocks, Paragraph(text("audit.log.none"))]
    columns = (text("audit.log.when"), text("audit.log.agency"), text("audit.log.what"),
               text("audit.log.data"), text("audit.log.basis"))
    return [*blocks, Grid(columns, tuple(rows), (0.17, 0.2, 0.23, 0.22, 0.18))]


__all__ = ["Receipt", "basis_text", "claim_label", "log_blocks", "log_rows", "receipt",
           "receipt_blocks", "status_text"]
