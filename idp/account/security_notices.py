"""Telling the citizen, at the e-mail address of their account, when something changed how
the account is entered or what it proves: a recovery code was used, a passkey was added or
deleted, a registrar office checked their identity or started an in-person recovery (NIST SP
800-63B, section 6.1.2.3 and 4.2: notify the subscriber of authenticator binding and account
recovery events, so that someone who did not do it learns of it and can act).

Sent after the change committed, through `infra.notify`; a transport that fails is logged and
never fails the citizen's request (the change stands either way)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from flask import current_app

from idp.citizens import services
from infra.config import get_settings
from infra.db import get_db
from infra.notify import DeliveryFailed, InvalidMessage, get_notifier
from infra.ops.metrics import count
from infra.web.i18n import current_language, formats
from infra.web.i18n import gettext as _

log = logging.getLogger(__name__)
EVENTS = ("recovery_code", "passkey_added", "passkey_deleted", "identity_verified",
          "registrar_recovery")


def tell(citizen_id: str | uuid.UUID, *, event: str, passkey: str = "", office: str = "") -> bool:
    """E-mail the citizen that `event` (one of EVENTS) happened to their account, what it
    means and what to do if it was not them. True when the message went."""
    if event not in EVENTS:
        raise ValueError(f"event must be one of {', '.join(EVENTS)}")
    key = citizen_id if isinstance(citizen_id, uuid.UUID) else uuid.UUID(str(citizen_id))
    with get_db(current_app).read() as db:
        citizen = services.get_citizen(db, key)
        address = citizen.email if citizen is not None else ""
    if not address:
        return False
    now = datetime.now(UTC)
    local = formats()  # the language and time zone of the request that made the change
    when = f"{local.datetime(now)} ({local.offset(now)})"
    account = get_settings().issuer.rstrip("/") + "/account"
    try:
        get_notifier(current_app).send(
            channel="email", address=address,
            subject=_(f"account.notice.{event}.subject"),
            body=_(f"account.notice.{event}.body", when=when, passkey=passkey or "-",
                   office=office or "-", account=account) + "\n\n" + _("account.notice.not_you", account=account),
            language=current_language())
    except (DeliveryFailed, InvalidMessage) as exc:
        count("account.notice", "failed")
        log.warning("account security notice not sent", extra={"event": event, "error": str(exc)})
        return False
    count("account.notice", event)
    return True


__all__ = ["EVENTS", "tell"]
