"""Telling the citizen, at the e-mail address of their account, when something changed how
the account is entered or what it proves: a recovery code was used, new recovery codes were
made (the earlier ones stop working), a passkey was added or deleted, a passkey blocked as
looking copied was accepted again, a registrar office checked their identity or started an
in-person recovery, a reclaim froze the account (an office, or a code from the civil register,
gave its national ID to someone else) (NIST SP 800-63B, section 6.1.2.3 and 4.2: notify the subscriber of
authenticator binding and account recovery events, so that someone who did not do it learns
of it and can act).

Queued in the transaction of the change it reports (`infra.notify.queue`: the database's
outbox), so a change that commits is told and one rolled back is not, and sent later by the
notify worker: a slow or unreachable mail server never slows down or fails the citizen's
request (the worker tries again, backing off). The message is written at the change, in the
citizen's language and time zone: their own request's, which it also remembers, or, when a
service office's request makes the change (`by_citizen=False`), the ones the citizen last used
(`idp.account.notice_locale`), never the staff member's."""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from idp.account import notice_locale
from idp.citizens import services
from infra.config import get_settings
from infra.notify import InvalidMessage, queue
from infra.ops.metrics import count
from infra.web.i18n import catalog

log = logging.getLogger(__name__)
EVENTS = ("recovery_code", "passkey_added", "passkey_deleted", "identity_verified",
          "registrar_recovery", "recovery_codes", "passkey_trusted", "identity_frozen",
          "identity_frozen_register")


def tell(session: Session, citizen_id: str | uuid.UUID, *, event: str, passkey: str = "",
         office: str = "", by_citizen: bool = True) -> bool:
    """Queue, in `session`'s transaction (the change's), an e-mail telling the citizen that
    `event` (one of EVENTS) happened to their account, what it means and what to do if it was
    not them. True when queued (False: no address, or a message the transport could not take).
    `by_citizen`: the request is the citizen's own (its language and time zone, remembered);
    False for a service office's (the citizen's remembered ones, `notice_locale.recall`)."""
    if event not in EVENTS:
        raise ValueError(f"event must be one of {', '.join(EVENTS)}")
    key = citizen_id if isinstance(citizen_id, uuid.UUID) else uuid.UUID(str(citizen_id))
    citizen = services.get_citizen(session, key)
    address = citizen.email if citizen is not None else ""
    if not address:
        return False
    now = datetime.now(UTC)
    if by_citizen:
        reader = notice_locale.of_request()
        notice_locale.remember(key)
    else:
        reader = notice_locale.recall(key)
    local = reader.formats
    when = f"{local.datetime(now)} ({local.offset(now)})"
    account = get_settings().issuer.rstrip("/") + "/account"

    def _(message: str, **params: str) -> str:  # the catalog's text in the reader's language
        text = catalog().get(message, reader.language)
        return message if text is None else text.format(**params)

    try:
        queue(session, key=f"account.notice:{event}:{secrets.token_urlsafe(16)}",
              channel="email", address=address,
              subject=_(f"account.notice.{event}.subject"),
              body=_(f"account.notice.{event}.body", when=when, passkey=passkey or "-",
                     office=office or "-", account=account) + "\n\n" + _("account.notice.not_you", account=account),
              language=reader.language)
    except InvalidMessage as exc:  # an address the transport cannot take: the change stands
        count("account.notice", "failed")
        log.warning("account security notice not queued", extra={"event": event, "error": str(exc)})
        return False
    count("account.notice", event)
    return True


__all__ = ["EVENTS", "tell"]
