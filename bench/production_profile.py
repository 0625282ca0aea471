"""`/token` in-process on PostgreSQL + Redis: the server's own work per request, by part.

`PYTHONPATH=$PWD python -m bench.production_profile [--count N] [--profile]` builds an app on a
database of its own on the PostgreSQL server and on Redis db 11 under a prefix of its own (as
`http-production`, `bench/servers.py`; both dropped at the end), redeems N codes through the
WSGI app (`app.test_client()`: the test client's own work is in the total, the same for every
build), and prints the calling thread's CPU time per `/token` (`time.thread_time`: the kernel
time of its sockets included, other processes and threads not), the round trips per `/token`
by command, the round trips to PostgreSQL per `/token` by thread and statement (psycopg's own
BEGIN/COMMIT/ROLLBACK included; the background threads' too: the sealer, the outbox), the CPU
time per `/token` of every thread of the process (1.5 s after the last request, so that the
background work the requests caused is in), and the CPU time per `/token` of the store's calls
and of the group commit. `--embedded` runs the same on SQLite and the in-process store, to
compare. With `--profile`, a cProfile (thread CPU time) of the timed requests, by cumulative
time (saved to the file CEDULA_PROFILE_OUT names, if set, for `pstats`).

Other load on the machine changes CPU time per request too (caches, frequency): compare builds
by alternating short runs, and read the round trips, which load does not change.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import POSTGRES_ADMIN_URL, REDIS_URL

PARTS = [("infra.store.redis", "RedisStore", name) for name in ("_run", "_once", "_quick", "_quick_once")] + [
    ("infra.group_commit", "GroupCommit", "commit")]


def _timed(cpu: dict[str, float], calls: collections.Counter[str], label: str,
           function: Callable[..., Any], on: list[bool]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        if not on[0]:
            return function(*args, **kwargs)
        start = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            cpu[label] += time.thread_time() - start
            calls[label] += 1

    return timed


def _thread_cpu() -> dict[str, float]:
    """CPU seconds (user + system) of each live thread of this process, by name (Linux /proc)."""
    import threading

    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = collections.defaultdict(float)
    for thread in threading.enumerate():
        try:
            fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[thread.name] += (int(fields[11]) + int(fields[12])) / tick
    return used


def _count_statements(on: list[bool]) -> collections.Counter[tuple[str, str]]:
    """Round trips to PostgreSQL while `on[0]`, by thread and by the start of the query: every
    query a cursor or connection sends, and the BEGIN, COMMIT and ROLLBACK psycopg sends itself."""
    import threading

    import psycopg
    from psycopg._connection_base import BaseConnection

    counts: collections.Counter[tuple[str, str]] = collections.Counter()

    def first(query: Any) -> str:
        text = query if isinstance(query, str) else bytes(query).decode() if isinstance(query, bytes | bytearray) \
            else getattr(query, "as_string", lambda _c: repr(query))(None)
        return " ".join(text.split()[:3])[:40]

    def note(query: Any, many: bool = False) -> None:
        if on[0]:
            counts[(threading.current_thread().name, ("many " if many else "") + first(query))] += 1

    command = BaseConnection._exec_command

    def exec_command(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        note(query)
        return command(self, query, *args, **kwargs)

    BaseConnection._exec_command = exec_command  # type: ignore[method-assign]
    execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany

    def counted_execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        note(query)
        return execute(self, query, *args, **kwargs)

    def counted_executemany(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        note(query, many=True)
        return executemany(self, query, *args, **kwargs)

    psycopg.Cursor.execute = counted_execute  # type: ignore[method-assign]
    psycopg.Cursor.executemany = counted_executemany  # type: ignore[method-assign]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="timed /token requests (default 1000)")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed requests")
    parser.add_argument("--embedded", action="store_true",
                        help="the embedded default instead (SQLite, in-process store), for comparison")
    options = parser.parse_args()

    import importlib

    import psycopg
    import redis

    on = [False]
    cpu: dict[str, float] = collections.defaultdict(float)
    calls: collections.Counter[str] = collections.Counter()
    for module, owner, name in PARTS:
        cls = getattr(importlib.import_module(module), owner)
        if name in cls.__dict__:
            setattr(cls, name, _timed(cpu, calls, f"{owner}.{name}", cls.__dict__[name], on))
    commands: collections.Counter[str] = collections.Counter()
    send = redis.connection.AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> Any:
        if on[0]:
            first = b"".join(command) if isinstance(command, list) else command
            commands[first.split(b"\r\n")[2].decode()] += 1
        return send(self, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
    statements = _count_statements(on)

    admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    name = f"cedula_profile_{os.getpid()}_{secrets.token_hex(3)}"
    folder = Path(tempfile.mkdtemp())
    if options.embedded:
        url, store = f"sqlite:///{folder / 'bench.db'}", {"redis_url": ""}
    else:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    prefix = f"cedula-profile-{os.getpid()}:"
    if not options.embedded:
        store = {"redis_url": REDIS_URL, "key_prefix": prefix}
    try:
        from bench.scenarios import _consented, bench_app
        from tests.idp.oidc.conftest import exchange, get_code

        app = bench_app(folder, database_url=url, store=store)
        browser, agency = _consented(app, 10000002)

        def prepared() -> Callable[[], Any]:
            code, flow = get_code(browser, agency)
            return lambda: exchange(browser, agency, code, flow)

        for _ in range(50):
            assert prepared()().status_code == 200
        steps = [prepared() for _ in range(options.count)]
        profile = cProfile.Profile(time.thread_time) if options.profile else None
        time.sleep(1.5)  # the warm-up's background work (the sealer, the deferred counts) done
        threads_before = _thread_cpu()
        on[0] = True
        usage_before = resource.getrusage(resource.RUSAGE_THREAD)
        start = time.thread_time()
        if profile is not None:
            profile.enable()
        for step in steps:
            assert step().status_code == 200
        if profile is not None:
            profile.disable()
        spent = time.thread_time() - start
        usage = resource.getrusage(resource.RUSAGE_THREAD)
        time.sleep(1.5)  # the background work of the timed requests
        on[0] = False
        threads_after = _thread_cpu()
        count = options.count
        print(f"/token: {spent / count * 1e6:.0f} us of the thread's CPU per request ({count} requests)")
        print(f"  user {(usage.ru_utime - usage_before.ru_utime) / count * 1e6:.0f} us, system (the kernel: "
              f"sockets, waits) {(usage.ru_stime - usage_before.ru_stime) / count * 1e6:.0f} us; context "
              f"switches {(usage.ru_nvcsw - usage_before.ru_nvcsw) / count:.2f} voluntary, "
              f"{(usage.ru_nivcsw - usage_before.ru_nivcsw) / count:.2f} involuntary per request")
        print("CPU per /token by thread (background threads' work included, 1.5 s after):")
        for thread in sorted(threads_after, key=lambda t: threads_before.get(t, 0.0) - threads_after[t]):
            used = threads_after[thread] - threads_before.get(thread, 0.0)
            if used > 0:
                print(f"  {thread:28s} {used / count * 1e6:7.1f} us")
        print("Redis commands per /token:", {command: round(n / count, 2) for command, n in sorted(commands.items())})
        print("PostgreSQL round trips per /token, by thread:")
        for (thread, first), n in sorted(statements.items()):
            print(f"  {thread:24s} {first:40s} {n / count:.3f}")
        for label in sorted(cpu):
            print(f"  {label:28s} {cpu[label] / count * 1e6:7.1f} us per /token ({calls[label] / count:.2f} calls)")
        if profile is not None:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
            if os.environ.get("CEDULA_PROFILE_OUT"):
                profile.dump_stats(os.environ["CEDULA_PROFILE_OUT"])
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=prefix + "*", count=1000):
            client.delete(key)
        if not options.embedded:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        os._exit(0)  # the app's background threads would log the dropped database


if __name__ == "__main__":
    main()
