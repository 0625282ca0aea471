"""Real SMTP servers on loopback for infra.notify: one that takes mail (aiosmtpd, optionally
with STARTTLS, implicit TLS and AUTH), one that refuses, one that never answers."""

from __future__ import annotations

import datetime
import errno
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support import ports

HOST = "127.0.0.1"


def free_port() -> int:
    return ports.free_port(HOST)


@dataclass
class Mailbox:
    """What the server received; `refuse_rcpt`/`refuse_data` make it answer 550/554."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse_rcpt: bool = False
    refuse_data: bool = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return "554 5.7.1 message refused"
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@dataclass(frozen=True)
class Tls:
    """A self-signed certificate for 127.0.0.1 (the client trusts it through `ca_file`)."""

    ca_file: Path
    server_context: ssl.SSLContext


def make_tls(folder: Path) -> Tls:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test mail server")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return Tls(ca_file=cert_file, server_context=context)


def password_checker(username: str, password: str):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and \
            (auth_data.login, auth_data.password) == (username.encode(), password.encode())
        return AuthResult(success=ok, handled=False)  # False: the server answers 535

    return authenticator


@contextmanager
def smtp_server(mailbox: Mailbox, *, starttls: Tls | None = None, implicit_tls: Tls | None = None,
                credentials: tuple[str, str] | None = None) -> Iterator[int]:
    """A running aiosmtpd server on 127.0.0.1; yields its port."""
    kwargs: dict = {}
    if starttls is not None:
        kwargs.update(tls_context=starttls.server_context, require_starttls=True)
    if implicit_tls is not None:
        kwargs.update(ssl_context=implicit_tls.server_context, server_hostname=HOST)
    if credentials is not None:
        kwargs.update(authenticator=password_checker(*credentials), auth_required=True)
    # aiosmtpd binds the port it is given (it cannot report one the kernel chose): a port found
    # free may be taken by another process before it binds, so a taken one means another port.
    for attempt in range(10):
        port = free_port()
        controller = Controller(mailbox, hostname=HOST, port=port, **kwargs)
        try:
            controller.start()
            break
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or attempt == 9:
                raise
    try:
        yield port
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """Accepts connections and never says a word (no SMTP greeting): a server that hangs."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        listener.close()


def closed_port() -> int:
    """A port nothing listens on, nor will while the tests run: connecting is refused."""
    return ports.refused_port(HOST)
