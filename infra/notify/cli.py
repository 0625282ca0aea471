"""`cedula notify outbox` (read the notification outbox), `cedula notify done ID` and `cedula
notify deliver` (send the queued messages now)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from infra.db import MAX_ROW_ID
from infra.notify.base import CHANNELS
from infra.notify.outbox import OutboxNotifier

ACTION_TEXT = {"read": "to read", "post": "to print and post", "text": "to send as a text message"}


def _outbox() -> OutboxNotifier:
    from infra.notify import get_outbox

    return get_outbox()


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


@click.group("notify", cls=AppGroup)
def notify_group() -> None:
    """Messages to people (one-time codes, notices): the notification outbox."""


@notify_group.command("outbox")
@click.option("--channel", type=click.Choice(CHANNELS), help="Only this channel.")
@click.option("--address", "addresses", multiple=True, help="Only to this address (repeatable).")
@click.option("--waiting", is_flag=True, help="Only messages not yet marked done.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def outbox_command(channel: str | None, addresses: tuple[str, ...], waiting: bool, limit: int,
                   as_json: bool) -> None:
    """Show the newest messages of the outbox: in the embedded default every message (there is
    no mail server), in production the letters to print and post and the text messages."""
    outbox = _outbox()
    messages = outbox.messages(channel=channel, addresses=list(addresses) or None,
                               waiting_only=waiting, limit=limit)
    if as_json:
        for m in messages:
            click.echo(json.dumps({"id": m.id, "created_at": _when(m.created_at), "channel": m.channel,
                                   "address": m.address, "subject": m.subject, "body": m.body,
                                   "language": m.language, "action": m.action,
                                   "done_at": _when(m.done_at) if m.done_at else None},
                                  ensure_ascii=False))
        return
    if not messages:
        click.echo("the outbox is empty")
        return
    for m in messages:
        state = f"done {_when(m.done_at)}" if m.done_at else ACTION_TEXT.get(m.action, m.action)
        click.echo(f"#{m.id}  {_when(m.created_at)}  {m.channel} to {m.address!r}  [{state}]")
        click.echo(f"  Subject: {m.subject}")
        for line in m.body.splitlines():
            click.echo(f"  | {line}")
        click.echo("")


@notify_group.command("done")
@click.argument("message_id", type=click.IntRange(1, MAX_ROW_ID))
def done_command(message_id: int) -> None:
    """Mark message MESSAGE_ID as posted or texted."""
    if not _outbox().mark_done(message_id):
        raise click.ClickException(f"no waiting message #{message_id} in the outbox")
    click.echo(f"message #{message_id} marked done")


@notify_group.command("deliver")
def deliver_command() -> None:
    """Send the queued messages that are due (what each process's thread does)."""
    from infra.notify import get_worker

    tally = get_worker().run_once()
    click.echo(", ".join(f"{outcome}: {number}" for outcome, number in sorted(tally.items())) or "nothing due")
