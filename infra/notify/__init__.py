"""Messages to people: one interface, `Notifier.send(channel=, address=, subject=, body=,
language=)`, for e-mail, text messages and letters; domain-free.

Production sends e-mail through an SMTP server (`infra.notify.smtp`); the embedded default, and
every channel without a transport (letters to print and post, text messages), writes to the
notification outbox (`infra.notify.outbox`) that the operator reads with `cedula notify
outbox`. A transport that fails raises DeliveryFailed (with `retry_after`): callers turn it
into a page or a 503 that says when to try again.

    notifier(app).send(channel="email", address="ana@example.org", subject="...", body="...",
                       language="es")
"""

from __future__ import annotations

from flask import Flask

from infra.components import Slot
from infra.config import get_settings
from infra.db import get_db
from infra.notify.base import (
    CHANNELS,
    Channel,
    DeliveryFailed,
    InvalidMessage,
    Notifier,
    NotifyError,
    Sent,
)
from infra.notify.outbox import Notification, OutboxNotifier
from infra.notify.queue import NotifyWorker, queue
from infra.notify.router import ChannelRouter
from infra.notify.settings import NotifySettings, load
from infra.notify.smtp import SmtpNotifier, SmtpSettings

__all__ = ["CHANNELS", "Channel", "ChannelRouter", "DeliveryFailed", "InvalidMessage",
           "Notification", "Notifier", "NotifyError", "NotifySettings", "NotifyWorker",
           "OutboxNotifier", "Sent", "SmtpNotifier", "SmtpSettings", "get_notifier", "get_outbox",
           "get_worker", "init_app", "notify_settings", "queue"]

NOTIFIER: Slot[Notifier] = Slot("notifier")
OUTBOX: Slot[OutboxNotifier] = Slot("notification outbox")
SETTINGS: Slot[NotifySettings] = Slot("notify settings")
WORKER: Slot[NotifyWorker] = Slot("queued message sender")


def get_notifier(app: Flask | None = None) -> Notifier:
    """The application's notifier (every channel)."""
    return NOTIFIER.of(app)


def get_outbox(app: Flask | None = None) -> OutboxNotifier:
    """The notification outbox, for the operator's reading (CLI, demo page)."""
    return OUTBOX.of(app)


def notify_settings(app: Flask | None = None) -> NotifySettings:
    return SETTINGS.of(app)


def get_worker(app: Flask | None = None) -> NotifyWorker:
    """The sender of the queued messages (`queue`) of this process."""
    return WORKER.of(app)


def init_app(app: Flask) -> None:
    """After `infra.db`."""
    settings = SETTINGS.install(app, load(get_settings(app)))
    database = get_db(app)
    if settings.smtp is None:
        outbox = OUTBOX.install(app, OutboxNotifier(database, everything_read=True))
        NOTIFIER.install(app, outbox)
    else:
        outbox = OUTBOX.install(app, OutboxNotifier(database, everything_read=False))
        NOTIFIER.install(app, ChannelRouter(email=SmtpNotifier(settings.smtp), outbox=outbox))
    worker = WORKER.install(app, NotifyWorker(app, notifier=lambda: get_notifier(app),
                                              seconds=settings.poll_seconds))
    if settings.background:
        from infra.ops.background import start_with_first_request

        start_with_first_request(app, worker)
