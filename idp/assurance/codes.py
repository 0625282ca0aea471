"""One-time codes to a register contact on the pages that offer them (/account/assurance and
/reclaim): issued and checked with the application's key and `[assurance]` limits, the
message that carries them in the reader's language, sent with the page's answer (`deliver`),
and what such a page shows."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from flask import current_app, redirect
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from idp.assurance.models import PossessionCode
from idp.assurance.possession import (
    CodeCheck,
    IssuedCode,
    available_channels,
    display,
    issue_code,
    mask,
    verify_code,
    withdraw,
)
from idp.assurance.settings import assurance_settings
from idp.civil_register.base import Contact
from infra.db import get_db
from infra.notify import DeliveryFailed, Sent, get_notifier
from infra.ops.metrics import count
from infra.secrets import get_secrets
from infra.web.i18n import current_language
from infra.web.i18n import gettext as _

log = logging.getLogger(__name__)
KEY_PURPOSE = "possession-codes"


class Holder(Protocol):
    """Whose national ID a code is about: the signed-in citizen's row, or a claim's details."""

    @property
    def national_id_scheme(self) -> str: ...

    @property
    def national_id(self) -> str: ...


def issue(db: Session, *, purpose: str, claimant: str, holder: Holder, contact: Contact, source: str,
          now: datetime) -> IssuedCode:
    """`possession.issue_code` with the application's key and limits."""
    return issue_code(db, key=get_secrets(current_app).key(KEY_PURPOSE),
                      limits=assurance_settings(current_app).codes, purpose=purpose, claimant=claimant,
                      national_id_scheme=holder.national_id_scheme, national_id=holder.national_id,
                      contact=contact, source=source, now=now)


def verify(db: Session, *, purpose: str, claimant: str, holder: Holder, entered: str,
           now: datetime) -> CodeCheck:
    """`possession.verify_code` with the application's key and limits; `entered` as typed."""
    return verify_code(db, key=get_secrets(current_app).key(KEY_PURPOSE),
                       limits=assurance_settings(current_app).codes, purpose=purpose,
                       claimant=claimant, national_id_scheme=holder.national_id_scheme,
                       national_id=holder.national_id, entered=entered[:64], now=now)


def page_values(*, contacts: tuple[Contact, ...], pending: PossessionCode | None, outcome: str | None,
                outcomes: set[str], notice: str | None, retry_after: int | None) -> dict[str, Any]:
    """What a page offering codes gives `assurance/_code.html`: the contacts to choose (masked),
    the code waiting to be entered, the last outcome (one of `outcomes`, from the query), and a
    notice ("too_many", "delivery_failed") with the minutes to wait."""
    return {"contacts": [{"channel": c.channel, "hint": mask(c)} for c in available_channels(contacts)],
            "pending": pending, "code_outcome": outcome if outcome in outcomes else None,
            "demo_outbox": "demo_register.outbox" in current_app.view_functions,
            "notice": notice, "notice_minutes": max(1, -(-(retry_after or 60) // 60))}


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


def deliver(issued: IssuedCode, *, purpose: str, metric: str, page: Callable[..., ResponseReturnValue],
            sent: str, log_extra: dict[str, str] | None = None) -> ResponseReturnValue:
    """Send a code a page issued: a 303 to `sent` when it went, else `page(status=503, ...)`
    saying the delivery failed and when to try again (the code is withdrawn). Counted under
    `metric` ("delivery_failed", "sent_<channel>")."""
    try:
        send_code(issued, purpose=purpose)
    except DeliveryFailed as exc:
        count(metric, "delivery_failed")
        return page(status=503, notice="delivery_failed", retry_after=exc.retry_after)
    count(metric, f"sent_{issued.contact.channel}")
    log.info("%s code sent", purpose, extra={**(log_extra or {}), "channel": issued.contact.channel})
    return redirect(sent, code=303)
