"""A message the mail server refuses, or the SMTP notifier refuses to send, logs no e-mail
address (operator7). The line "e-mail not delivered" carried smtplib's error whole: for a
refused recipient that is `{'ana@example.org': (550, b'...')}`, and a server's reply often
echoes the address too; "queued message refused by the transport" carried the notifier's
"'Ana <ana@example.org>' is not an e-mail address". A citizen's e-mail is personal data: the
lines keep the server, the SMTP code and its reply, with each address as [address], and the
notifier's refusal no longer repeats the address it refuses."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from infra.notify import DeliveryFailed, SmtpNotifier, SmtpSettings
from infra.notify.queue import send_queued
from infra.ops.logging import JsonFormatter
from tests.support.smtp import HOST, Mailbox, closed_port, smtp_server

ADDRESS = "ana.lopez@correo.example"


class EchoingMailbox(Mailbox):
    """A server whose refusal names the recipient, as Postfix's does."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


def _notifier(port: int) -> SmtpNotifier:
    return SmtpNotifier(SmtpSettings(host=HOST, port=port, security="none", sender="no-reply@id.example.gov",
                                     timeout_seconds=60))


def _lines(caplog) -> list[str]:
    return [JsonFormatter().format(record) for record in caplog.records]


@pytest.mark.parametrize("mailbox", [Mailbox(refuse_rcpt=True), EchoingMailbox()], ids=["refused", "echoed"])
def test_a_refused_recipient_is_not_logged(caplog, mailbox):
    with caplog.at_level(logging.WARNING, logger="infra.notify"), smtp_server(mailbox) as port, \
            pytest.raises(DeliveryFailed):
        _notifier(port).send(channel="email", address=ADDRESS, subject="Código", body="123456", language="es")
    [line] = [line for line in _lines(caplog) if "e-mail not delivered" in line]
    assert ADDRESS not in line and "correo.example" not in line, line
    assert f"{HOST}:{port}" in line and "SMTPRecipientsRefused" in line and "[address]" in line
    assert "550" in line, line


def test_a_message_the_notifier_refuses_is_not_logged_with_its_address(caplog):
    message = SimpleNamespace(key="notice-1", payload={
        "channel": "email", "address": f"Ana <{ADDRESS}>", "subject": "Aviso", "body": "Hola",
        "language": "es"})
    with caplog.at_level(logging.ERROR, logger="infra.notify"):
        assert send_queued(_notifier(closed_port()), message) == "refused"
    [line] = [line for line in _lines(caplog) if "queued message refused by the transport" in line]
    assert ADDRESS not in line and "correo.example" not in line, line
    assert "Ana" not in line and "notice-1" in line, line
    assert "the address is not an e-mail address (name@domain alone, without a display name or spaces)" in line
