"""`cedula clients move-sector`: the operator's migration of a client to another pairwise
sector (OIDC Core 1.0 section 8.1), with the map from every citizen's old `sub` to the new one.

A client's sector is fixed at its first grant, so metadata changes never re-key citizens
silently. When an agency really moves (a new domain, a merger), the operator moves it here and
hands the agency the map, so it can re-key its accounts before the next sign-in.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from clients.registry import Client, ClientNotFound, find_client
from clients.registry.services import computed_sector, sector_of
from idp.oidc import subjects
from idp.oidc.models import Grant
from infra.db import get_db
from infra.secrets import get_secrets


@click.command("move-sector")
@with_appcontext
@click.argument("client_id")
@click.option("--to", "target", help="The new sector (a host name). Default: the one the client's current "
                                     "metadata gives (its sector_identifier_uri or first redirect URI).")
@click.option("--map", "map_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the map for the agency (CSV: old_sub,new_sub; created, mode 0600).")
def move_sector(client_id: str, target: str | None, map_file: Path) -> None:
    """Move a client to another pairwise sector; every citizen gets a new `sub` there.

    Writes one line per citizen who ever signed in to the client, then fixes the new sector,
    in one transaction (nothing changes if the map cannot be written). Moving a client into
    another agency's sector lets the two correlate their citizens: do it only for the same
    agency's new home.
    """
    key = get_secrets().key("pairwise")
    with get_db().transaction() as session:
        try:
            client = find_client(session, client_id, enabled_only=False)
        except ClientNotFound as exc:
            raise click.ClickException(str(exc)) from None
        session.refresh(client, with_for_update=True)
        if client.client_metadata.get("subject_type") == "public":
            raise click.ClickException(f"client {client_id} receives public subjects: they do not depend on a sector")
        old = sector_of(client)
        new = (target or computed_sector(client.client_metadata, client.client_id)).strip().lower()
        if not new or len(new) > 255 or any(ch.isspace() for ch in new):
            raise click.ClickException("the sector must be a host name (no spaces, at most 255 characters)")
        if new == old.lower():
            raise click.ClickException(f"client {client_id} is already in sector {old!r}")
        citizens = sorted({str(c) for c in session.scalars(
            sa.select(Grant.citizen_id).where(Grant.client_id == client_id).distinct())})
        try:
            descriptor = os.open(map_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise click.ClickException(f"cannot create {map_file}: {exc.strerror} (it must not exist yet)") from None
        with os.fdopen(descriptor, "w", newline="", encoding="ascii") as handle:
            writer = csv.writer(handle)
            writer.writerow(["old_sub", "new_sub"])
            for citizen in citizens:
                writer.writerow([subjects.pairwise(key=key, sector=old, citizen_id=citizen),
                                 subjects.pairwise(key=key, sector=new, citizen_id=citizen)])
        session.execute(sa.update(Client).where(Client.client_id == client_id).values(sector=new))
    click.echo(f"client {client_id} moved from sector {old!r} to {new!r}; {len(citizens)} subjects mapped "
               f"in {map_file}")

