"""`cedula documents ...`: templates, list, show, renew-lta, revoke. `issue` (as an agency, for
operators) is the identity provider's (`idp.documents.cli`): it reads the agency and records
the release there, and `idp.cli` joins it to this group."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from infra.cli_errors import errors_as_messages
from keys.errors import KeyStoreError
from signing.errors import SigningError

if TYPE_CHECKING:
    from signing.models import Document
    from signing.service import DocumentService


ERRORS = (SigningError, KeyStoreError)
"""What a documents command ends with as a one-line message (a template's data problems say
every bad field, in English)."""
_clean_errors = errors_as_messages(*ERRORS)  # the app context comes from `AppGroup`


def one_line_errors() -> AbstractContextManager[None]:
    """The same for a `with` block of another package's command (`idp.documents.cli`): a
    context its own code enters, not a wrapper of `signing` calling the command back."""
    return errors_as_messages(*ERRORS)

def _service() -> DocumentService:
    from signing.service import get_documents

    return get_documents()


def _row(document: Document) -> dict[str, Any]:
    return {"id": document.id, "csv": document.csv, "kind": document.kind,
            "template": document.template, "client_id": document.client_id,
            "subject": document.subject, "title": document.title,
            "language": document.language, "level": document.level,
            "status": document.status, "issued_at": document.issued_at.isoformat(),
            "sha256": document.sha256, "size": document.size,
            "file_name": document.file_name, "signer_serial": document.signer_serial,
            "revoked_at": document.revoked_at.isoformat() if document.revoked_at else None,
            "revocation_reason": document.revocation_reason,
            "superseded_by": document.superseded_by}


@click.group("documents", cls=AppGroup)
def documents_group() -> None:
    """Issued documents: templates, issuing as an agency, listing."""


@documents_group.command("templates", with_appcontext=False)
def templates() -> None:
    """Print every template's name and JSON Schema, as one JSON object."""
    from signing.templates import schemas

    click.echo(json.dumps(schemas(), ensure_ascii=False, indent=2))


@documents_group.command("list")
@click.option("--client", "client_id", default=None, help="Only documents of this agency.")
@click.option("--national-id", default=None, help="Only documents of this citizen.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@_clean_errors
def list_documents(client_id: str | None, national_id: str | None, limit: int) -> None:
    """List documents, newest first: id, CSV, kind, level, status, date, title."""
    from signing.models import Document

    service = _service()
    query = sa.select(Document).order_by(Document.issued_at.desc()).limit(limit)
    if client_id:
        query = query.where(Document.client_id == client_id)
    if national_id:
        citizen = service.directory.citizen_by_national_id(national_id)
        if citizen is None:
            raise click.ClickException(f"no citizen is enrolled with national ID {national_id!r}")
        query = query.where(Document.subject == citizen.id)
    with service.database.read() as session:
        rows = session.scalars(query).all()
    if not rows:
        click.echo("no documents")
    for d in rows:
        click.echo(f"{d.id}  {d.csv}  {d.kind:<14} {d.level:<5} {d.status:<10} "
                   f"{d.issued_at:%Y-%m-%d %H:%M}  {d.title}")


@documents_group.command("show")
@click.argument("document_id")
@_clean_errors
def show(document_id: str) -> None:
    """Print a document's metadata as JSON."""
    click.echo(json.dumps(_row(_service().get(document_id)), ensure_ascii=False, indent=2))


@documents_group.command("renew-lta")
@click.option("--limit", type=click.IntRange(min=1, max=1_000_000), default=None,
              help="Look at no more than this many documents (oldest first).")
@_clean_errors
def renew_lta(limit: int | None) -> None:
    """Add archive time-stamps to stored B-LTA documents that need one (ETSI EN 319 142-1).

    Due: the last document time-stamp's chain expires within
    [documents] archive_renew_before_days, or its digest is weak. Idempotent; safe to run
    while the web processes run the same task. Exit 1 if a document could not be renewed.
    """
    from signing.archive import renew_all

    service = _service()
    report = renew_all(service, now=service.keys.now(),
                       horizon=service.settings.archive_renew_before, limit=limit)
    click.echo(f"checked {report.checked} B-LTA documents; renewed {len(report.renewed)}"
               + (f": {', '.join(report.renewed)}" if report.renewed else ""))
    for document_id, error in report.failed:
        click.echo(f"failed {document_id}: {error}", err=True)
    if report.failed:
        raise SystemExit(1)


def _add_revoke() -> None:
    from signing.verify.cli import revoke_command

    documents_group.add_command(revoke_command)


_add_revoke()  # `cedula documents revoke` lives with the rest of document withdrawal (signing.verify)
