"""Free loopback ports for servers a test starts as another process (bound later, by it).

A port from `bind(("127.0.0.1", 0))` comes from the kernel's ephemeral range, the range every
outgoing connection takes its local port from. Between the moment a test picks it and the
moment the server binds it (or binds it again after a restart, as the cluster's killed node
does), a client connection of the same machine (a load test opens thousands) may take it, and
the server fails with "Address already in use". Ports below the ephemeral range are never
given to outgoing connections; a random one, checked free, leaves only the rare collision with
another test process making the same pick in the same instant.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOOPBACK = "127.0.0.1"
_LOWEST = 20_000
_DEFAULT_EPHEMERAL_START = 32_768


def ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range (Linux: ip_local_port_range)."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return _DEFAULT_EPHEMERAL_START
    return low


def free_port(host: str = LOOPBACK) -> int:
    """A port nobody listens on now, outside the ephemeral range when there is room for it."""
    top = ephemeral_start()
    if top - _LOWEST >= 1_000:
        for _ in range(50):
            port = random.randrange(_LOWEST, top)
            with socket.socket() as sock:
                try:
                    sock.bind((host, port))
                except OSError:
                    continue
                return port
    with socket.socket() as sock:  # no room below the range: the kernel's choice
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


_REFUSING: list[socket.socket] = []  # kept open for the whole run: their ports stay taken


def refused_port(host: str = LOOPBACK) -> int:
    """A port where connecting is refused, for as long as the test run lasts.

    A port merely found free and let go can be taken meanwhile by another process's server, or
    as the local port of an outgoing connection (then a connection to it may even connect to
    itself, TCP's simultaneous open); a socket bound and never listening holds the port, and
    the kernel refuses every connection to it."""
    sock = socket.socket()
    sock.bind((host, 0))
    _REFUSING.append(sock)
    return int(sock.getsockname()[1])
