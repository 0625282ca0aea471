"""Hostile and friendly HTTP peers on loopback for the outbound-request tests: each connection
is handed to a function that writes whatever bytes it likes, as slowly as it likes, over plain
TCP or TLS (a test CA made once per session, `LoopbackCa`).
"""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

Handler = Callable[["Connection"], None]


@dataclass
class Connection:
    sock: socket.socket
    peer: Peer

    def request(self) -> bytes:
        """The request head (up to the blank line), and the body when a length is declared."""
        data = b""
        self.sock.settimeout(10)
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                want = int(line.split(b":", 1)[1])
                while len(rest) < want:
                    chunk = self.sock.recv(4096)
                    if not chunk:
                        break
                    rest += chunk
        self.peer.requests.append(head + b"\r\n\r\n" + rest)
        return head

    def send(self, data: bytes) -> bool:
        """False when the client has gone away."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False


@dataclass
class Peer:
    port: int
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    # Set by handlers that notice the client hung up before they were done.
    abandoned: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str = "/", *, scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


@contextmanager
def serve(handler: Handler, *, tls: ssl.SSLContext | None = None) -> Iterator[Peer]:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    peer = Peer(port=listener.getsockname()[1])
    stop = threading.Event()

    def one(sock: socket.socket) -> None:
        try:
            if tls is not None:
                try:
                    sock = tls.wrap_socket(sock, server_side=True)
                except (ssl.SSLError, OSError):
                    return
            handler(Connection(sock, peer))
        except OSError:
            peer.abandoned.set()
        finally:
            peer.finished.set()
            try:
                sock.close()
            except OSError:
                pass

    listener.settimeout(0.2)

    def accept() -> None:
        while not stop.is_set():
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            peer.connections += 1
            threading.Thread(target=one, args=(sock,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        stop.set()
        try:  # wakes the accept() at once (else it sees `stop` only at its next 0.2 s timeout)
            listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        listener.close()
        thread.join(timeout=5)


def response(status: int = 200, body: bytes = b"", *, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} Status"]
    merged = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
    lines += [f"{k}: {v}" for k, v in merged.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def answer(status: int = 200, body: bytes = b"", **headers: str) -> Handler:
    def handle(connection: Connection) -> None:
        connection.request()
        connection.send(response(status, body, headers={k.replace("_", "-"): v for k, v in headers.items()}))

    return handle


def json_answer(text: str) -> Handler:
    return answer(200, text.encode(), Content_Type="application/json")


def redirect(location: str, status: int = 302) -> Handler:
    return answer(status, Location=location)


def trickle(data: bytes, *, every: float) -> Handler:
    """A slow-loris peer: one byte every `every` seconds, noting whether the client left early."""

    def handle(connection: Connection) -> None:
        connection.request()
        for index in range(len(data)):
            if not connection.send(data[index:index + 1]):
                connection.peer.abandoned.set()
                return
            time.sleep(every)
        # Linux lets a few writes after the client's close succeed: look once more.
        time.sleep(every)
        if not connection.send(b"x") or not connection.send(b"x"):
            connection.peer.abandoned.set()

    return handle


def hold(release: threading.Event, then: bytes = b"") -> Handler:
    """Accept, read the request, then say nothing until `release` (or 60 s)."""

    def handle(connection: Connection) -> None:
        connection.request()
        release.wait(60)
        connection.send(then)

    return handle


class LoopbackCa:
    """A CA and server certificates for made-up names, to serve TLS on loopback."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Cedula Test CA")])
        now = datetime.datetime.now(datetime.UTC)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(minutes=5))
                     .not_valid_after(now + datetime.timedelta(days=1))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                  key_encipherment=False, data_encipherment=False,
                                                  key_agreement=False, key_cert_sign=True, crl_sign=True,
                                                  encipher_only=False, decipher_only=False), critical=True)
                     .sign(self.key, hashes.SHA256()))

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cadata=self.cert.public_bytes(serialization.Encoding.PEM).decode())
        return context

    def server_context(self, *names: str) -> ssl.SSLContext:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
                .issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .sign(self.key, hashes.SHA256()))
        stem = self.folder / names[0]
        stem.with_suffix(".pem").write_bytes(
            cert.public_bytes(serialization.Encoding.PEM) + self.cert.public_bytes(serialization.Encoding.PEM))
        stem.with_suffix(".key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(stem.with_suffix(".pem"), stem.with_suffix(".key"))
        return context


def resolver(table: dict[str, list[str]], calls: list[str] | None = None):
    """A getaddrinfo stand-in: made-up names to the addresses given (nothing leaves the machine)."""

    def resolve(host: str, port: int, family: int = 0, kind: int = 0, *_args) -> list[tuple]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = []
        for address in table[host]:
            if ":" in address:
                answers.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                answers.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return answers

    return resolve
