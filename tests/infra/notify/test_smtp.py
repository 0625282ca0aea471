"""E-mail through a real SMTP server on loopback (aiosmtpd): delivered with STARTTLS, implicit
TLS and AUTH; a server that refuses, one that hangs, and a closed port give DeliveryFailed."""

from __future__ import annotations

import socket

import pytest

from infra.notify import DeliveryFailed, InvalidMessage, SmtpNotifier, SmtpSettings
from tests.support.smtp import HOST, Mailbox, closed_port, make_tls, silent_server, smtp_server

SENDER = "Cédula <no-reply@id.example.gov>"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_tls(tmp_path_factory.mktemp("smtp-tls"))


def notifier(port: int, **kwargs) -> SmtpNotifier:
    # A cap (the test that measures the timeout passes its own): a loaded machine can take
    # seconds over a TLS handshake with the loopback test server.
    values = dict(host=HOST, port=port, security="none", sender=SENDER, timeout_seconds=60)
    values.update(kwargs)
    return SmtpNotifier(SmtpSettings(**values))


def send(n: SmtpNotifier, address: str = "ana@example.org"):
    return n.send(channel="email", address=address, subject="Tu código de verificación",
                  body="Tu código es 123456.\nCaduca en 15 minutos.", language="es")


def test_delivered_over_starttls_with_login(tls):
    mailbox = Mailbox()
    with smtp_server(mailbox, starttls=tls, credentials=("cedula", "s3cret")) as port:
        sent = send(notifier(port, security="starttls", ca_file=str(tls.ca_file),
                             username="cedula", password="s3cret"))
    assert (sent.channel, sent.via) == ("email", "smtp") and sent.id.endswith("@id.example.gov>")
    [message] = mailbox.messages
    assert mailbox.envelopes == [("no-reply@id.example.gov", ["ana@example.org"])]
    assert message["To"] == "ana@example.org" and message["Message-ID"] == sent.id
    assert message["Subject"] == "Tu código de verificación"
    assert message["Content-Language"] == "es" and message["Auto-Submitted"] == "auto-generated"
    assert "Tu código es 123456." in message.get_content()


def test_delivered_over_implicit_tls(tls):
    mailbox = Mailbox()
    with smtp_server(mailbox, implicit_tls=tls) as port:
        send(notifier(port, security="ssl", ca_file=str(tls.ca_file)))
    assert len(mailbox.messages) == 1


def test_an_untrusted_certificate_is_refused(tls):
    mailbox = Mailbox()
    with smtp_server(mailbox, starttls=tls) as port, pytest.raises(DeliveryFailed) as info:
        send(notifier(port, security="starttls"))  # the system CAs do not know the test cert
    assert "failed the TLS handshake" in str(info.value) and mailbox.messages == []


def test_starttls_is_never_skipped():
    mailbox = Mailbox()
    with smtp_server(mailbox) as port, pytest.raises(DeliveryFailed) as info:
        send(notifier(port, security="starttls"))
    assert str(info.value) == (f"the mail server {HOST}:{port} does not offer STARTTLS "
                               "(mail is never sent unencrypted)")
    assert mailbox.messages == []


def test_a_wrong_password_is_a_clear_failure(tls):
    with smtp_server(Mailbox(), starttls=tls, credentials=("cedula", "s3cret")) as port, \
            pytest.raises(DeliveryFailed) as info:
        send(notifier(port, security="starttls", ca_file=str(tls.ca_file), username="cedula",
                      password="wrong"))
    assert str(info.value).endswith("refused the user name or password")


def test_a_server_that_refuses_the_recipient():
    with smtp_server(Mailbox(refuse_rcpt=True)) as port, pytest.raises(DeliveryFailed) as info:
        send(notifier(port))
    assert str(info.value) == f"the mail server {HOST}:{port} refused the recipient"
    assert info.value.permanent and info.value.code == "delivery_failed"


def test_a_server_that_refuses_the_message():
    with smtp_server(Mailbox(refuse_data=True)) as port, pytest.raises(DeliveryFailed) as info:
        send(notifier(port))
    assert str(info.value) == f"the mail server {HOST}:{port} refused the message (554)"
    assert info.value.permanent


def test_a_closed_port_is_refused_not_a_crash():
    port = closed_port()
    with pytest.raises(DeliveryFailed) as info:
        send(notifier(port, retry_after_seconds=120))
    assert str(info.value) == f"the mail server {HOST}:{port} refused the connection"
    assert info.value.retry_after == 120 and not info.value.permanent


def test_a_server_that_never_answers_times_out(monkeypatch):
    # Bounded by the timeout, not the OS's: every socket the notifier opens carries it. (Its
    # duration is not measured: a busy machine can take any time to notice a 0.5 s timeout.)
    opened: list[socket.socket] = []
    connect = socket.create_connection

    def create_connection(*args, **kwargs):
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(socket, "create_connection", create_connection)
    with silent_server() as port, pytest.raises(DeliveryFailed) as info:
        send(notifier(port, timeout_seconds=0.5))
    assert str(info.value) == f"the mail server {HOST}:{port} did not answer within 0.5 seconds"
    assert opened and all(sock.gettimeout() == 0.5 for sock in opened)


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"channel": "postal"}, "the SMTP notifier sends e-mail only, not 'postal'"),
    ({"channel": "fax"}, "unknown channel 'fax'; expected one of email, phone, postal"),
    ({"address": "ana@example.org\r\nBcc: x@evil.example"}, "an email address cannot contain a line break"),
    ({"address": "Ana <ana@example.org>"}, "the address is not an e-mail address (name@domain alone, "
                                           "without a display name or spaces)"),
    ({"subject": "a\nBcc: x@evil.example"}, "the subject must be one line of 1 to 200 characters"),
    ({"body": " "}, "the body must have 1 to 10000 characters"),
])
def test_bad_messages_are_refused_before_connecting(kwargs, expected):
    message = dict(channel="email", address="ana@example.org", subject="s", body="b", language="es")
    message.update(kwargs)
    with pytest.raises(InvalidMessage) as info:
        notifier(closed_port()).send(**message)
    assert str(info.value) == expected


def test_the_test_mail_server_takes_another_port_when_its_first_is_taken(monkeypatch):
    """tests/support/smtp: a port found free can be taken by another process before aiosmtpd
    binds it; the server then starts on another port instead of failing the test by chance."""
    from tests.support import ports, smtp

    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen(1)
        picks = iter([taken.getsockname()[1], ports.free_port(HOST)])
        monkeypatch.setattr(smtp, "free_port", lambda: next(picks))
        mailbox = Mailbox()
        with smtp_server(mailbox) as port:
            assert port != taken.getsockname()[1]
            send(notifier(port))
    assert len(mailbox.messages) == 1
