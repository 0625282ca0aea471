"""`cedula registry import FILE`: load an extract of the civil register."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import AppGroup


@click.group("registry", cls=AppGroup)
def registry_group() -> None:
    """The authoritative civil register that enrolments are matched against."""


@registry_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Also remove the records of this scheme that the file does not have.")
def import_command(file: Path, replace: bool) -> None:
    """Import FILE: UTF-8 CSV with the header national_id,given_name,family_name,birthdate.

    Optionally followed by any of email,phone,postal_address: the contacts of record to which
    identity proofing sends one-time codes. National IDs are normalised with the configured
    scheme; any bad row refuses the whole file (one transaction)."""
    from flask import current_app

    from idp.citizens import scheme
    from idp.civil_register.errors import CivilRegisterError
    from idp.civil_register.imported import import_csv
    from infra.db import get_db

    try:
        with get_db(current_app).transaction() as session:
            result = import_csv(session, data=file.read_bytes(), scheme=scheme(current_app),
                                now=datetime.now(UTC), replace=replace)
    except CivilRegisterError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{result.rows} records read: {result.inserted} new, {result.updated} "
               f"changed, {result.removed} removed")
