"""A small HTTP load driver: N threads, one keep-alive connection each, a fixed duration.

Only loopback targets (127.0.0.1) are accepted. Each request is prepared before the timed
window (`requests` is a list, taken in order, each used once: e.g. one authorization code per
token request); the window ends when the time is up or the list is used up. Every answer
must have the expected status, or the run fails: a benchmark of errors measures nothing.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"


class LoadError(RuntimeError):
    """The server answered with an unexpected status, or could not be reached."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


ANY = Request("GET", "/")  # the token of a journey's turn


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    latencies_ms: list[float]
    server_cpu_seconds: float | None
    # The server's garbage collections in the window (count, ms, major_count, major_ms), when
    # it reports them (bench/servers.py: oidc-provider with CEDULA_BENCH_NODE_GC=1).
    server_gc: dict[str, float] | None = None
    # Requests answered on each connection, by the connection's own (client side) port: which
    # server process answered them is found from the port (bench/scaling.py).
    by_port: dict[int, int] = field(default_factory=dict)
    # What `probe` returned, called once halfway through the window (the connections open).
    probed: object = None
    # The driver's own CPU time in the window (this process, all threads).
    driver_cpu_seconds: float | None = None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants still running (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    pending.extend(int(child) for child in fh.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run(*, port: int, requests: Sequence[Request] | Request | Callable[[], Request], seconds: float,
        concurrency: int, expect: int | Collection[int] = 200, server_pid: int | None = None,
        limit: int = 200_000, journey: Callable[[http.client.HTTPConnection], None] | None = None,
        probe: Callable[[], object] | None = None) -> Load:
    """Send `requests` (or one request repeated, or one made by a callable each time) to
    127.0.0.1:`port` for `seconds`; `expect` is the status (or statuses) every answer must have.

    `journey`, instead of requests: a function that runs one whole exchange of several requests
    on the connection (and raises `LoadError` on a wrong answer); each call counts as one.
    `probe`: called once, halfway through the window, while every connection is open."""
    if not 1 <= concurrency <= 64:
        raise ValueError("concurrency must be between 1 and 64")
    if not 0 < seconds <= 120:
        raise ValueError("seconds must be more than 0 and at most 120")
    lock = threading.Lock()
    expected = {expect} if isinstance(expect, int) else set(expect)
    made = requests if callable(requests) and not isinstance(requests, Request) else None
    queue = iter(requests) if made is None and not isinstance(requests, Request) else None  # type: ignore[arg-type]
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    ports: list[dict[int, int]] = [{} for _ in range(concurrency)]
    failures: list[str] = []
    sent = 0
    start_line = threading.Barrier(concurrency + 1)
    deadline = 0.0

    def next_request() -> Request | None:
        nonlocal sent
        with lock:
            if sent >= limit or failures or time.perf_counter() >= deadline:
                return None
            if journey is not None:
                item: Request | None = ANY
            elif made is not None:
                item = made()
            else:
                item = requests if queue is None else next(queue, None)  # type: ignore[assignment]
            if item is not None:
                sent += 1
            return item

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        mine, counted = latencies[index], ports[index]
        start_line.wait()
        try:
            while (item := next_request()) is not None:
                began = time.perf_counter()
                if journey is not None:
                    journey(connection)
                    mine.append((time.perf_counter() - began) * 1000)
                    _count(counted, connection)
                    continue
                connection.request(item.method, item.path, body=item.body, headers=item.headers)
                response = connection.getresponse()
                body = response.read()
                mine.append((time.perf_counter() - began) * 1000)
                _count(counted, connection)
                if response.status not in expected:
                    failures.append(f"{item.method} {item.path}: {response.status} {body[:300]!r}")
        except LoadError as exc:
            failures.append(str(exc))
        except (OSError, http.client.HTTPException) as exc:
            failures.append(f"connection failed: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    cpu_before = cpu_seconds(server_pid) if server_pid else None
    driver_before = time.process_time()
    began = time.perf_counter()
    deadline = began + seconds
    start_line.wait()
    probed = None
    if probe is not None:
        time.sleep(seconds / 2)
        probed = probe()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    driver_cpu = time.process_time() - driver_before
    cpu_used = cpu_seconds(server_pid) - cpu_before if server_pid and cpu_before is not None else None
    if failures:
        raise LoadError(f"{len(failures)} request(s) failed; first: {failures[0]}")
    merged = [value for part in latencies for value in part]
    by_port: dict[int, int] = {}
    for counted in ports:
        for port, answered in counted.items():
            by_port[port] = by_port.get(port, 0) + answered
    return Load(requests=len(merged), seconds=elapsed, latencies_ms=merged,
                server_cpu_seconds=cpu_used, by_port=by_port, probed=probed,
                driver_cpu_seconds=round(driver_cpu, 3))


def _count(counted: dict[int, int], connection: http.client.HTTPConnection) -> None:
    """One more answer on `connection`, under its client-side port (none while it is closed)."""
    if connection.sock is not None:
        port = connection.sock.getsockname()[1]
        counted[port] = counted.get(port, 0) + 1
