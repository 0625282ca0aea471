"""`cedula audit verify` and `cedula audit checkpoint`."""

from __future__ import annotations

import json

import click

from idp.audit import audit_log


def _app():
    return click.get_current_context().find_root().obj.app


@click.group("audit")
def audit_group() -> None:
    """The data-sharing log (hash chain with signed checkpoints)."""


@audit_group.command("verify")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False),
              help="Check a citizen's downloaded log (JSON) offline instead of the database.")
def verify(path: str | None) -> None:
    """Seal pending entries, then check every entry and checkpoint; name the first entry
    altered, removed or reordered."""
    from idp.audit import AuditError, published_keys, seal, verify_bundle, verify_chain
    from infra.db import get_db

    app = _app()
    with app.app_context():
        if path is not None:
            try:
                with open(path, encoding="utf-8") as handle:
                    document = json.load(handle)
                proven = verify_bundle(document)
            except (OSError, ValueError, AuditError) as exc:
                raise click.ClickException(f"the log does not check out: {exc}") from None
            click.echo(f"ok: {proven} entries proven against signed checkpoints")
            return
        seal(get_db(app), log=audit_log(app))
        with get_db(app).read() as session:
            report = verify_chain(session, published=published_keys(app))
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.problem is not None:
        raise click.ClickException(f"the log was tampered with: {report.problem.message} "
                                   f"(first bad entry: {report.problem.seq})")
    pending = f" ({report.pending} entries committed since are pending)" if report.pending else ""
    click.echo(f"ok: {report.entries} entries and {report.checkpoints} checkpoints verified{pending}")


@audit_group.command("seal")
def seal_command() -> None:
    """Chain the pending entries now (what each server process does every seal_seconds)."""
    from idp.audit import seal
    from infra.db import get_db

    app = _app()
    with app.app_context():
        count = seal(get_db(app), log=audit_log(app))
    click.echo(f"{count} entries sealed")


@audit_group.command("checkpoint")
def checkpoint_command() -> None:
    """Sign a checkpoint of the chain head now (for cron, before backups, after rotations)."""
    from idp.audit import checkpoint
    from infra.db import get_db

    app = _app()
    with app.app_context(), get_db(app).transaction() as session:
        seq = checkpoint(session)
    click.echo("the log is empty" if seq is None else f"checkpoint at entry {seq}")


def commands() -> list[click.Command]:
    return [audit_group]
