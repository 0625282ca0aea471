"""`/token` in-process on PostgreSQL + Redis: the server's own work per request, by part.

`PYTHONPATH=$PWD python -m bench.production_profile [--count N] [--profile]` builds an app on a
database of its own on the PostgreSQL server and on Redis db 11 under a prefix of its own (as
`http-production`, `bench/servers.py`; both dropped at the end), redeems N codes through the
WSGI app (`app.test_client()`: the test client's own work is in the total, the same for every
build), and prints the calling thread's CPU time per `/token` (`time.thread_time`: the kernel
time of its sockets included, other processes and threads not), the round trips per `/token`
by command, and the CPU time per `/token` of the store's calls and of the group commit. With
`--profile`, a cProfile (thread CPU time) of the timed requests, by cumulative time.

Other load on the machine changes CPU time per request too (caches, frequency): compare builds
by alternating short runs, and read the round trips, which load does not change.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="timed /token requests (default 1000)")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed requests")
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

    admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    name = f"cedula_profile_{os.getpid()}_{secrets.token_hex(3)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    prefix = f"cedula-profile-{os.getpid()}:"
    try:
        from bench.scenarios import _consented, bench_app
        from tests.idp.oidc.conftest import exchange, get_code

        app = bench_app(Path(tempfile.mkdtemp()), database_url=url,
                        store={"redis_url": REDIS_URL, "key_prefix": prefix})
        browser, agency = _consented(app, 10000002)

        def prepared() -> Callable[[], Any]:
            code, flow = get_code(browser, agency)
            return lambda: exchange(browser, agency, code, flow)

        for _ in range(50):
            assert prepared()().status_code == 200
        steps = [prepared() for _ in range(options.count)]
        profile = cProfile.Profile(time.thread_time) if options.profile else None
        on[0] = True
        start = time.thread_time()
        if profile is not None:
            profile.enable()
        for step in steps:
            assert step().status_code == 200
        if profile is not None:
            profile.disable()
        spent = time.thread_time() - start
        on[0] = False
        count = options.count
        print(f"/token: {spent / count * 1e6:.0f} us of the thread's CPU per request ({count} requests)")
        print("Redis commands per /token:", {command: round(n / count, 2) for command, n in sorted(commands.items())})
        for label in sorted(cpu):
            print(f"  {label:28s} {cpu[label] / count * 1e6:7.1f} us per /token ({calls[label] / count:.2f} calls)")
        if profile is not None:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=prefix + "*", count=1000):
            client.delete(key)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        os._exit(0)  # the app's background threads would log the dropped database


if __name__ == "__main__":
    main()
