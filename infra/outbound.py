"""The one guarded outbound HTTP client: every request the service makes to a URL someone
else chose (an agency's `jwks_uri`, `sector_identifier_uri`, `backchannel_logout_uri`, a
metadata download) goes through `Outbound`, so that a URL cannot turn the service against
the network it runs in (server-side request forgery, OWASP API7:2023).

What every request withstands:

- **Addresses, not names.** The host is resolved once; every address it resolves to must be
  public (not private, loopback, link-local, multicast, shared, reserved or unspecified, also
  when an IPv4 address hides inside an IPv6 one: `::ffff:10.0.0.1`, 6to4, NAT64); then the
  connection goes to the address that was checked, never to the name again (no second DNS
  answer between the check and the connect). Hosts written as non-canonical numbers
  (`2130706433`, `0x7f.1`, `0177.0.0.1`) are refused before any look-up.
- **https only.** `http://` and loopback addresses are allowed only when the service itself
  runs on loopback (`[outbound] allow_loopback = "auto"`: the demo and the tests), and then
  only towards loopback. Operators may allow named private networks (`allowed_networks`).
- **Every redirect is a new request**: checked the same way, within the same budget.
- **One total time budget** for resolving, connecting, TLS, sending and reading, however the
  peer trickles its bytes (each socket operation gets only what is left of it).
  A name look-up that never ends (its zone's servers never answer) holds only a thread of
  its own, never a place that other hosts' look-ups wait for.
- **A size cap before reading**: a declared Content-Length above it is refused unread, and
  no more than the cap is ever read.
- **Generic errors**: `OutboundError`'s message is the same whatever went wrong (a closed
  port, a timeout, a refused address, a bad status), so an answer never tells whoever chose
  the URL what is listening where; `reason` and `detail` are for the service's own log.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import json
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin, urlsplit

from flask import Flask, has_app_context

from infra.components import Slot
from infra.config import MAX_BODY_BYTES, ConfigError, get_settings

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# getaddrinfo(host, port, family, type) -> [(family, type, proto, canonname, sockaddr), ...]
Resolver = Callable[..., list[tuple[Any, ...]]]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
GENERIC = "could not be fetched"
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]*))*\.?", re.IGNORECASE)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IANA's special-purpose address registries (RFC 6890 and later) where "Globally Reachable" is
# False or the block is not for hosts on the Internet, named here so the refusal does not depend
# on the Python release's `ipaddress` tables (3.11.7's `is_global` is True for 192.0.0.8, the
# IPv4 dummy address of RFC 7600, and for the 2024 documentation block 3fff::/20).
_NOT_GLOBAL = tuple(ipaddress.ip_network(block) for block in (
    "192.0.0.0/24",     # IETF protocol assignments (RFC 6890), PCP/TURN anycast, DS-Lite, dummy
    "192.88.99.0/24",   # the deprecated 6to4 relay anycast (RFC 7526)
    "100::/64",         # discard-only (RFC 6666)
    "64:ff9b:1::/48",   # local-use IPv4/IPv6 translation (RFC 8215)
    "2001::/23",        # IETF protocol assignments (RFC 2928)
    "3fff::/20",        # documentation (RFC 9637)
    "5f00::/16",        # segment routing SIDs (RFC 9602)
))
# Resolution blocks in the C library without a timeout: each look-up runs in a thread of its
# own, waited for with the request's budget (a stuck look-up fails the request; its thread
# finishes on its own). Never a shared pool: a name whose servers never answer, chosen by
# whoever registered a URL, held one of its few threads each, and every other request's
# look-up queued behind them. At most MAX_LOOKUPS run at once (stuck ones included); beyond,
# a request fails at once rather than start another thread.
MAX_LOOKUPS = 256
_LOOKUPS = threading.BoundedSemaphore(MAX_LOOKUPS)


class OutboundError(Exception):
    """The request was refused or failed. `str(error)` is the same generic sentence for every
    cause; `reason` ("address", "scheme", "url", "timeout", "connect", "tls", "protocol",
    "too_large", "status", "redirects", "content") and `detail` are for logs only."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(GENERIC)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class OutboundPolicy:
    """What the client may reach and how long and how much it may take."""

    allow_loopback: bool = False
    allowed_networks: tuple[Network, ...] = ()
    total_seconds: float = 5.0
    max_bytes: int = 1024 * 1024
    max_redirects: int = 3
    user_agent: str = "Cedula/1 (+outbound)"


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    url: str = ""

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            raise OutboundError("content", "the answer is not JSON") from None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client, NAT64, compatible)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def refusal(address: IPAddress, policy: OutboundPolicy) -> str | None:
    """Why the client must not connect to `address` (None: it may)."""
    if any(address in network for network in policy.allowed_networks if network.version == address.version):
        return None
    inner = _embedded_ipv4(address)
    if inner is not None:
        why = refusal(inner, policy)
        return None if why is None else f"{address} carries {inner}: {why}"
    if address.is_loopback:
        return None if policy.allow_loopback else "a loopback address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address"
    if not address.is_global or any(address in block for block in _NOT_GLOBAL if block.version == address.version):
        return "an address that is not public"
    return None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise OutboundError("timeout", "the time budget ran out")
        return remaining


class _Reader(io.RawIOBase):
    """What http.client reads the answer from: each read gets only what is left of the budget."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        self._sock.settimeout(self._deadline.left())
        return self._sock.recv_into(buffer)


class _Socket:
    """The connected (and TLS-wrapped) socket as http.client sees it, under the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._deadline.left())  # sendall: one timeout for all of it
        self._sock.sendall(data)

    def makefile(self, mode: str, *_args: Any, **_kwargs: Any) -> io.BufferedReader:
        assert "r" in mode
        return io.BufferedReader(_Reader(self._sock, self._deadline))

    def settimeout(self, _value: float | None) -> None:
        pass  # the deadline decides

    def close(self) -> None:
        pass  # http.client closes its connection before the body is read: the request closes it


@dataclass
class Outbound:
    """The guarded client. Thread-safe; one per application (`get_outbound(app)`)."""

    policy: OutboundPolicy
    resolver: Resolver = socket.getaddrinfo
    tls: ssl.SSLContext = field(default_factory=ssl.create_default_context)

    # -- public API -------------------------------------------------------------------------

    def get(self, url: str, *, accept: str = "application/json", total_seconds: float | None = None,
            max_bytes: int | None = None, follow_redirects: bool = True) -> OutboundResponse:
        return self.request("GET", url, headers={"Accept": accept}, total_seconds=total_seconds,
                            max_bytes=max_bytes, follow_redirects=follow_redirects)

    def get_json(self, url: str, *, accept: str = "application/json", total_seconds: float | None = None,
                 max_bytes: int | None = None) -> Any:
        """GET `url`, expecting 200 and a JSON body."""
        response = self.get(url, accept=accept, total_seconds=total_seconds, max_bytes=max_bytes)
        if response.status != 200:
            raise OutboundError("status", f"answered {response.status}")
        return response.json()

    def post_form(self, url: str, form: Mapping[str, str], *, total_seconds: float | None = None,
                  headers: Mapping[str, str] | None = None) -> OutboundResponse:
        """POST a form; redirects are answers, never followed (a delivery goes where it was sent)."""
        return self.request("POST", url, body=urlencode(form).encode("ascii"),
                            headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
                            total_seconds=total_seconds, max_bytes=64 * 1024, follow_redirects=False)

    def screen(self, url: str) -> None:
        """What can be judged of `url` without a look-up (scheme, user information, a host
        written as a number, an IP literal that is not allowed): for checking a URL when it is
        registered. Names are judged when the request is made, by their addresses then."""
        scheme, host, _port, _path = self._target(url)
        literal = _literal(host)
        if literal is not None:
            self._checked(scheme, host, [literal])
        elif scheme == "http" and not self.policy.allow_loopback:
            raise OutboundError("scheme", "http is allowed only towards loopback in a loopback deployment")

    def request(self, method: str, url: str, *, body: bytes | None = None,
                headers: Mapping[str, str] | None = None, total_seconds: float | None = None,
                max_bytes: int | None = None, follow_redirects: bool = True) -> OutboundResponse:
        deadline = _Deadline(self.policy.total_seconds if total_seconds is None else total_seconds)
        cap = self.policy.max_bytes if max_bytes is None else max_bytes
        hops = self.policy.max_redirects if follow_redirects else 0
        current = url
        try:
            for _hop in range(hops + 1):
                response = self._once(method, current, body=body, headers=headers or {}, deadline=deadline,
                                      cap=cap)
                location = response.headers.get("location")
                if response.status not in REDIRECTS or not follow_redirects or not location:
                    return response
                current = urljoin(current, location)
                if response.status == 303:
                    method, body = "GET", None
            raise OutboundError("redirects", f"more than {hops} redirects")
        except OutboundError as exc:
            log.info("outbound request refused or failed",
                     extra={"url": _loggable(url), "reason": exc.reason, "detail": exc.detail})
            raise

    # -- one hop ----------------------------------------------------------------------------

    def _target(self, url: str) -> tuple[str, str, int, str]:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise OutboundError("url", "not a valid URL") from None
        if parts.scheme not in ("https", "http"):
            raise OutboundError("scheme", f"scheme {parts.scheme!r}")
        if parts.username is not None or parts.password is not None:
            raise OutboundError("url", "user information in the URL")
        host = parts.hostname
        if not host:
            raise OutboundError("url", "no host")
        if _literal(host) is None and _NUMERIC_HOST.fullmatch(host):
            raise OutboundError("address", f"{host!r} is a number that is not a canonical IP address")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path

    def _resolve(self, host: str, port: int, deadline: _Deadline) -> list[IPAddress]:
        literal = _literal(host)
        if literal is not None:
            return [literal]
        future = _look_up(self.resolver, host, port)
        try:
            answers = future.result(timeout=deadline.left())
        except FutureTimeout:
            raise OutboundError("timeout", f"resolving {host}") from None
        except (OSError, UnicodeError) as exc:
            raise OutboundError("connect", f"resolving {host}: {exc}") from None
        found: dict[IPAddress, None] = {}
        for family, _type, _proto, _name, sockaddr in answers:
            if family in (socket.AF_INET, socket.AF_INET6):
                found[ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])] = None
        if not found:
            raise OutboundError("connect", f"{host} has no address")
        return list(found)

    def _checked(self, scheme: str, host: str, addresses: Iterable[IPAddress]) -> list[IPAddress]:
        addresses = list(addresses)
        for address in addresses:  # every answer must be acceptable, not just the first
            why = refusal(address, self.policy)
            if why is not None:
                raise OutboundError("address", f"{host} resolves to {address}, {why}")
        if scheme == "http" and not (self.policy.allow_loopback and all(_loopback(a) for a in addresses)):
            raise OutboundError("scheme", "http is allowed only towards loopback in a loopback deployment")
        return addresses

    def _connect(self, addresses: list[IPAddress], port: int, deadline: _Deadline) -> socket.socket:
        last: Exception | None = None
        for address in addresses:
            try:
                return socket.create_connection((str(address), port), timeout=deadline.left())
            except OSError as exc:
                last = exc
        if isinstance(last, TimeoutError):
            raise OutboundError("timeout", f"connecting: {last}")
        raise OutboundError("connect", f"connecting: {last}")

    def _once(self, method: str, url: str, *, body: bytes | None, headers: Mapping[str, str],
              deadline: _Deadline, cap: int) -> OutboundResponse:
        scheme, host, port, path = self._target(url)
        addresses = self._checked(scheme, host, self._resolve(host, port, deadline))
        raw = self._connect(addresses, port, deadline)
        sock: socket.socket = raw
        try:
            if scheme == "https":
                raw.settimeout(deadline.left())  # the whole handshake within it (one deadline)
                sock = self.tls.wrap_socket(raw, server_hostname=host.strip("[]"))
            connection = http.client.HTTPConnection(host, port)  # Host header from the name
            connection.sock = _Socket(sock, deadline)
            connection.putrequest(method, path, skip_accept_encoding=True)
            sent = {"User-Agent": self.policy.user_agent, "Connection": "close", **headers}
            if body is not None:
                sent["Content-Length"] = str(len(body))
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            answer = connection.getresponse()
            declared = answer.getheader("Content-Length")
            if declared is not None and declared.strip().isascii() and declared.strip().isdigit() \
                    and int(declared) > cap:
                raise OutboundError("too_large", f"Content-Length {declared} is above {cap} bytes")
            data = b""
            if answer.status not in REDIRECTS:
                data = self._read(answer, cap)
            return OutboundResponse(status=answer.status, body=data, url=url,
                                    headers={k.lower(): v for k, v in answer.getheaders()})
        except OutboundError:
            raise
        except TimeoutError as exc:
            raise OutboundError("timeout", str(exc) or "timed out") from None
        except (ssl.SSLError, ssl.CertificateError) as exc:
            raise OutboundError("tls", str(exc)) from None
        except (http.client.HTTPException, ValueError) as exc:
            raise OutboundError("protocol", f"{type(exc).__name__}: {exc}") from None
        except OSError as exc:
            raise OutboundError("connect", str(exc)) from None
        finally:
            sock.close()
            raw.close()

    @staticmethod
    def _read(answer: http.client.HTTPResponse, cap: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = answer.read(min(64 * 1024, cap + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                raise OutboundError("too_large", f"the body is larger than {cap} bytes")


def _look_up(resolver: Resolver, host: str, port: int) -> Future[list[tuple[Any, ...]]]:
    """`resolver(host, port, 0, SOCK_STREAM)` started in a thread of its own (see MAX_LOOKUPS)."""
    if not _LOOKUPS.acquire(blocking=False):
        raise OutboundError("timeout", f"resolving {host}: {MAX_LOOKUPS} look-ups are still running")
    future: Future[list[tuple[Any, ...]]] = Future()

    def run() -> None:
        try:
            future.set_result(resolver(host, port, 0, socket.SOCK_STREAM))
        except BaseException as exc:  # handed to the waiter, if it still waits
            future.set_exception(exc)
        finally:
            _LOOKUPS.release()

    try:
        threading.Thread(target=run, name="cedula-outbound-dns", daemon=True).start()
    except RuntimeError:  # no thread could be started
        _LOOKUPS.release()
        raise OutboundError("connect", f"resolving {host}: no thread for the look-up") from None
    return future


def _loopback(address: IPAddress) -> bool:
    inner = _embedded_ipv4(address)
    return (inner or address).is_loopback


def _loggable(url: str) -> str:
    """The URL without its query (which may carry secrets), for logs."""
    return url.split("?", 1)[0][:300]


# -- settings and the application --------------------------------------------------------------

_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def policy_from(settings: Mapping[str, Any], issuer: str) -> OutboundPolicy:
    """The `[outbound]` settings (documented in config/default.toml), checked once at start."""
    section = settings["outbound"]
    mode = section.get("allow_loopback")
    if mode not in ("auto", "never"):
        raise ConfigError(f'outbound.allow_loopback must be "auto" or "never", got {mode!r}')
    host = (urlsplit(issuer).hostname or "").lower()
    literal = _literal(host)
    issuer_on_loopback = host in _LOOPBACK_HOSTS or (literal is not None and literal.is_loopback)
    networks = []
    raw_networks = section.get("allowed_networks", [])
    if not isinstance(raw_networks, list):
        raise ConfigError("outbound.allowed_networks must be a list of CIDR networks")
    for value in raw_networks:
        try:
            networks.append(ipaddress.ip_network(str(value), strict=False))
        except ValueError:
            raise ConfigError(f"outbound.allowed_networks: {value!r} is not a network (CIDR)") from None
    seconds = section.get("total_seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0.1 <= seconds <= 120:
        raise ConfigError(f"outbound.total_seconds must be between 0.1 and 120, got {seconds!r}")
    size = section.get("max_bytes")
    # at most server.max_body_bytes' bound (1 GiB): 1e15 read any answer whole into memory
    if not isinstance(size, int) or isinstance(size, bool) or not 1024 <= size <= MAX_BODY_BYTES:
        raise ConfigError(f"outbound.max_bytes must be a whole number of bytes from 1024 to {MAX_BODY_BYTES}, "
                          f"got {size!r}")
    redirects = section.get("max_redirects")
    if not isinstance(redirects, int) or isinstance(redirects, bool) or not 0 <= redirects <= 10:
        raise ConfigError(f"outbound.max_redirects must be between 0 and 10, got {redirects!r}")
    return OutboundPolicy(allow_loopback=mode == "auto" and issuer_on_loopback,
                          allowed_networks=tuple(networks), total_seconds=float(seconds), max_bytes=size,
                          max_redirects=redirects)


OUTBOUND: Slot[Outbound] = Slot("outbound HTTP client")


def init_app(app: Flask) -> Outbound:
    settings = get_settings(app)
    return OUTBOUND.install(app, Outbound(policy_from(settings, settings.issuer)))


_standalone: list[Outbound] = []


def get_outbound(app: Flask | None = None) -> Outbound:
    """The application's client; outside any application (a library call, a script), one
    built from the settings of the environment (`CEDULA_*`, the same rules)."""
    if app is None and not has_app_context():
        if not _standalone:
            from infra.config import load_settings

            settings = load_settings()
            _standalone.append(Outbound(policy_from(settings, settings.issuer)))
        return _standalone[0]
    return OUTBOUND.of(app)
