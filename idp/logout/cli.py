"""`cedula logout deliver`: work the back-channel logout queue from the command line."""

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

    Useful with `[logout] background = false`, or to drain the queue by hand. Needs the Redis
    store: the in-process store of a server is not reachable from another process.
    """
    from idp.logout import get_logout

    store = get_store()
    if not store.shared:
        raise click.ClickException("the in-process store is not shared with the server: set "
                                   "CEDULA_REDIS_URL, or let the server's own thread deliver")
    logout = get_logout()
    worker = logout.worker
    while True:
        tally = worker.run_once()
        if tally or once:
            summary = ", ".join(f"{outcome}: {n}" for outcome, n in sorted(tally.items()))
            click.echo(summary or "nothing was due")
        if once:
            return
        time.sleep(logout.settings.poll_seconds)

