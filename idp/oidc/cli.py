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
        new = (target or computed_sector(client.client_metadata, client.client_id,
                                             vouched=client.operator_registered)).strip().lower()
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


@click.group("resources")
def resources_group() -> None:
    """Agencies' APIs as protected resources (RFC 8707 resource indicators)."""


@resources_group.command("register")
@with_appcontext
@click.argument("identifier")
@click.option("--name", required=True, help="What the API is, e.g. 'API de declaraciones de Hacienda'.")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="A scope the API accepts (repeat): tokens for it carry no other (openid, profile, ...).")
@click.option("--owner", required=True, help="The client the API authenticates as to introspect its tokens.")
@click.option("--client", "clients", multiple=True,
              help="A client that may get tokens for the API (repeat); the owner always may.")
def register_resource(identifier: str, name: str, scopes: tuple[str, ...], owner: str,
                      clients: tuple[str, ...]) -> None:
    """Register IDENTIFIER (an https URI) as an API: a token asked for it with `resource` has it
    as its only audience, and is refused by every other API."""
    from datetime import UTC, datetime

    from idp.oidc import resources
    from idp.oidc.current import provider
    from idp.oidc.request import SCOPES

    with get_db().transaction() as session:
        for client_id in dict.fromkeys([owner, *clients]):
            try:
                find_client(session, client_id, enabled_only=False)
            except ClientNotFound as exc:
                raise click.ClickException(str(exc)) from None
        try:
            resource = resources.register(session, identifier=identifier, name=name, scopes=scopes,
                                          clients=clients, owner=owner, now=datetime.now(UTC),
                                          offered=SCOPES, issuer=provider().settings.issuer)
        except resources.ResourceRegistrationError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"registered {resource.identifier} ({resource.name}): scopes {' '.join(resource.scopes)}; "
                   f"clients {', '.join(resource.clients)}; introspected by {resource.owner}")


@resources_group.command("list")
@with_appcontext
def list_resources() -> None:
    """The registered APIs, one a line: identifier, scopes, clients, owner."""
    from idp.oidc.models import Resource

    with get_db().read() as session:
        for resource in session.scalars(sa.select(Resource).order_by(Resource.identifier)):
            click.echo(f"{resource.identifier}\t{' '.join(resource.scopes)}\t{','.join(resource.clients)}\t"
                       f"{resource.owner}")
