"""The notifier an application uses: e-mail through its transport, the rest to the outbox."""

from __future__ import annotations

from infra.notify.base import Notifier, Sent, check
from infra.notify.outbox import OutboxNotifier


class ChannelRouter:
    """E-mail goes to `email` (SMTP in production, the outbox in the embedded default);
    letters and text messages, which have no transport, go to the outbox for the operator."""

    def __init__(self, *, email: Notifier, outbox: OutboxNotifier) -> None:
        self.email = email
        self.outbox = outbox

    def send(self, *, channel: str, address: str, subject: str, body: str, language: str) -> Sent:
        checked = check(channel=channel, address=address, subject=subject, body=body,
                        language=language)
        target = self.email if checked == "email" else self.outbox
        return target.send(channel=checked, address=address, subject=subject, body=body,
                           language=language)


__all__ = ["ChannelRouter"]
