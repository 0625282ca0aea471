"""`cedula mds load FILE|URL`: the FIDO Metadata Service BLOB."""

from __future__ import annotations

import click
from flask.cli import AppGroup


@click.group("mds", cls=AppGroup)
def mds_group() -> None:
    """FIDO Metadata Service (MDS3): which authenticators are trusted or revoked."""


@mds_group.command("load")
@click.argument("source")
def load(source: str) -> None:
    """Fetch a BLOB from a file or URL, verify it against the MDS root and make it current.

    It is kept in <data_dir>/mds/blob.jwt; running servers pick it up within a minute."""
    from flask import current_app

    from idp.assurance import metadata
    from idp.assurance.errors import MetadataError
    from idp.assurance.mds import fetch

    service = metadata(current_app)
    try:
        blob = service.install(fetch(source, timeout=service.timeout))
    except MetadataError as exc:
        raise click.ClickException(str(exc)) from None
    refused = sum(1 for e in blob.entries if e.refusal)
    click.echo(f"metadata BLOB no. {blob.serial} loaded: {len(blob.entries)} authenticators "
               f"({refused} refused by status), next update {blob.next_update.isoformat()}")
