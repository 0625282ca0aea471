"""`cedula documents issue`: an operator issues and seals a document as an agency.

The command goes from the identity provider to `signing` once, as the documents API does: it
reads the agency (`clients.registry`) and the citizen here, passes the agency's name in to
`signing.issuance.seal`, then records the document in one transaction of its own
(`idp.documents.issuing.record_issued`: the row, the data-sharing log entry, the data kept
for wallets). `signing` calls nothing of idp back. Joined to `signing.cli`'s group by
`idp.cli` (`cedula documents ...`).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from clients.registry import ClientNotFound, agency_name, find_client
from signing.cli import one_line_errors


@click.command("issue")
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
@with_appcontext
def issue(client_id: str, template: str, national_id: str, data_file: Path, out_file: Path,
          language: str, level: str | None) -> None:
    """Issue and seal a document for a citizen, as the agency CLIENT (operators only)."""
    from idp.documents.issuing import SubjectGone, record_issued
    from signing.issuance import seal
    from signing.service import get_documents

    try:
        data = json.loads(data_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{data_file} is not JSON: {exc}") from None
    with one_line_errors():
        service = get_documents()
        citizen = service.directory.citizen_by_national_id(national_id)
        if citizen is None:
            raise click.ClickException(f"no citizen is enrolled with national ID {national_id!r}")
        with service.database.read() as session:
            try:
                agency = find_client(session, client_id, enabled_only=False)
            except ClientNotFound:
                raise click.ClickException(f"client {client_id!r} is not a registered agency") from None
        sealed = seal(service, client_id=client_id, agency_name=agency_name(agency, language), template=template,
                      citizen=citizen, data=data, language=language, level=level)
        try:
            with service.store.staged(sealed.pdf, service.database) as (stored, session):
                issued = record_issued(session, sealed, stored, agency=agency, consent_checked=False)
        except SubjectGone:
            raise click.ClickException(f"the account with national ID {national_id!r} was closed or "
                                       "frozen while the document was sealed; nothing was issued") from None
        out_file.write_bytes(service.store.read(issued.sha256))
    click.echo(f"issued {issued.id}: {issued.title} ({issued.level})")
    click.echo(f"CSV: {issued.csv}")
    click.echo(f"verify: {issued.verify_url}")
    click.echo(f"written: {out_file} ({issued.size} bytes, sha256 {issued.sha256})")
