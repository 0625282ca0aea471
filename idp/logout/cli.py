"""`cedula logout deliver`: deliver back-channel logout tokens from the command line."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from infra.store import get_store


@click.group("logout", cls=AppGroup)
def logout_group() -> None:
    """Single logout (back-channel logout deliveries)."""


@logout_group.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
def deliver(once: bool) -> None:
    """Deliver due logout tokens and announce expired sessions (as the server threads do).

    Useful with `[logout] background = false`, or to drain the queue by hand. Deliveries are
    in the database's outbox, so any process delivers them; sessions that ran out are seen only
    through the Redis store (the in-process store of a server is not reachable from here).
    """
    from idp.logout import get_logout

    if not get_store().shared:
        click.echo("in-process store: delivering the outbox only (expired sessions are announced "
                   "by the server's own thread)", err=True)
    logout = get_logout()
    worker = logout.worker
    assert worker is not None  # idp.logout.init_app builds it with the app
    while True:
        tally = worker.run_once()
        if tally or once:
            summary = ", ".join(f"{outcome}: {n}" for outcome, n in sorted(tally.items()))
            click.echo(summary or "nothing was due")
        if once:
            return
        time.sleep(logout.settings.poll_seconds)

