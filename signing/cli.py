"""`cedula documents ...`: templates, issue (as an agency, for operators), list, show."""

from __future__ import annotations

import json
from pathlib import Path
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


_clean_errors = errors_as_messages(SigningError, KeyStoreError)
"""Document and key errors become a one-line message (the app context comes from `AppGroup`);
a template's data problems say every bad field, in English."""


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


@documents_group.command("issue")
@click.option("--client", "client_id", required=True, help="Client ID of the issuing agency.")
@click.option("--template", required=True, help="Template name (see `documents templates`).")
@click.option("--national-id", required=True, help="National ID of the citizen.")
@click.option("--data", "data_file", required=True, type=click.Path(exists=True, dir_okay=False,
                                                                    path_type=Path),
              help="JSON file with the template's data.")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the sealed PDF.")
@click.option("--language", default="es", type=click.Choice(["es", "en"]), show_default=True)
@click.option("--level", default=None, type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]),
              help="PAdES level (default: documents.level).")
@_clean_errors
def issue(client_id: str, template: str, national_id: str, data_file: Path, out_file: Path,
          language: str, level: str | None) -> None:
    """Issue and seal a document for a citizen, as the agency CLIENT (operators only)."""
    from signing.issuance import issue as issue_document

    try:
        data = json.loads(data_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{data_file} is not JSON: {exc}") from None
    service = _service()
    citizen = service.directory.citizen_by_national_id(national_id)
    if citizen is None:
        raise click.ClickException(f"no citizen is enrolled with national ID {national_id!r}")
    issued = issue_document(service, client_id=client_id, template=template, citizen=citizen,
                            data=data, language=language, level=level)
    out_file.write_bytes(service.store.read(issued.sha256))
    click.echo(f"issued {issued.id}: {issued.title} ({issued.level})")
    click.echo(f"CSV: {issued.csv}")
    click.echo(f"verify: {issued.verify_url}")
    click.echo(f"written: {out_file} ({issued.size} bytes, sha256 {issued.sha256})")


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
@click.option("--limit", type=click.IntRange(min=1), default=None,
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
