"""The message that carries a one-time code to a register contact, in the reader's language."""

from __future__ import annotations

from flask import current_app

from idp.assurance.possession import IssuedCode, display, withdraw
from infra.db import get_db
from infra.notify import DeliveryFailed, Sent, get_notifier
from infra.web.i18n import current_language
from infra.web.i18n import gettext as _


def validity(issued: IssuedCode, *, now_seconds: float) -> str:
    """How long the code can be entered, rounded to whole minutes (or days for letters)."""
    seconds = max(60, round(issued.expires_at.timestamp() - now_seconds))
    if seconds >= 2 * 86400:
        return _("assurance.code.validity.days", days=round(seconds / 86400))
    return _("assurance.code.validity.minutes", minutes=round(seconds / 60))


def send_code(issued: IssuedCode, *, purpose: str) -> Sent:
    """Send the code through `infra.notify`. When the transport fails, the code is withdrawn
    (nobody received it, so it must not count against the claimant's limit or stay usable)
    and DeliveryFailed is raised for the page to say so."""
    from datetime import UTC, datetime

    text = {"code": display(issued.code),
            "validity": validity(issued, now_seconds=datetime.now(UTC).timestamp())}
    try:
        return get_notifier(current_app).send(
            channel=issued.contact.channel, address=issued.contact.address,
            subject=_(f"assurance.code.message.{purpose}.subject"),
            body=_(f"assurance.code.message.{purpose}.body", **text),
            language=current_language())
    except DeliveryFailed:
        with get_db(current_app).transaction() as db:
            withdraw(db, issued.id)
        raise
