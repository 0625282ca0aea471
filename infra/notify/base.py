"""What every notifier offers: `send(channel=, address=, subject=, body=, language=)`.

A notifier delivers a short plain-text message to a person through one channel: "email" (an
e-mail address), "phone" (a telephone number, by text message) or "postal" (a postal address,
printed and posted). It knows nothing of why the message is sent; callers write the text in
the recipient's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Channel = Literal["email", "phone", "postal"]
CHANNELS: tuple[Channel, ...] = ("email", "phone", "postal")
ADDRESS_MAX = 500
SUBJECT_MAX = 200
BODY_MAX = 10_000


class NotifyError(Exception):
    """Any failure to deliver a message; `code` is the machine code."""

    code = "notify_error"


class InvalidMessage(NotifyError):
    """A message that cannot be sent as given (unknown channel, empty or oversized parts,
    line breaks in an e-mail address or subject)."""

    code = "invalid_message"


class DeliveryFailed(NotifyError):
    """The transport did not take the message (server down, refused, timed out). Nothing
    was delivered; the caller may try again after `retry_after` seconds."""

    code = "delivery_failed"

    def __init__(self, message: str, *, retry_after: int = 60, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        # True when trying again will not help (the server refused this recipient).
        self.permanent = permanent


@dataclass(frozen=True)
class Sent:
    """How a message went: `via` "smtp" (handed to the mail server) or "outbox" (written to
    the notification outbox for the operator: read, printed and posted, or texted); `id` is
    the outbox entry or the e-mail's Message-ID."""

    channel: Channel
    via: str
    id: str


class Notifier(Protocol):
    def send(self, *, channel: str, address: str, subject: str, body: str,
             language: str) -> Sent:
        """Deliver one message or raise NotifyError (InvalidMessage, DeliveryFailed)."""


def check(*, channel: str, address: str, subject: str, body: str, language: str) -> Channel:
    """The channel, after checking every part; InvalidMessage says which part is wrong."""
    if channel not in CHANNELS:
        raise InvalidMessage(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    if not address.strip() or len(address) > ADDRESS_MAX:
        raise InvalidMessage(f"the address must have 1 to {ADDRESS_MAX} characters")
    if channel != "postal" and any(c in address for c in "\r\n"):
        raise InvalidMessage(f"an {channel} address cannot contain a line break")
    if not subject.strip() or len(subject) > SUBJECT_MAX or any(c in subject for c in "\r\n"):
        raise InvalidMessage(f"the subject must be one line of 1 to {SUBJECT_MAX} characters")
    if not body.strip() or len(body) > BODY_MAX:
        raise InvalidMessage(f"the body must have 1 to {BODY_MAX} characters")
    if not language or len(language) > 35:
        raise InvalidMessage("the language must be a language tag such as es or en")
    return channel


__all__ = [
    "ADDRESS_MAX",
    "BODY_MAX",
    "CHANNELS",
    "SUBJECT_MAX",
    "Channel",
    "DeliveryFailed",
    "InvalidMessage",
    "Notifier",
    "NotifyError",
    "Sent",
    "check",
]
