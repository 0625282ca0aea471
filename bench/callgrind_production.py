"""`/token` under callgrind on PostgreSQL + Redis: `bench/callgrind_token.py`'s requests on the
production backends, to compare with the embedded default's count instruction for instruction.

Run through `CALLGRIND_MODULE=bench.callgrind_production bench/callgrind_token.sh 200 token`
(`CALLGRIND_STEADY=1` for A/B runs, as there). The app is built as `bench.production_profile`
builds it: a database of its own on the PostgreSQL server (`CEDULA_BENCH_POSTGRES_URL`) and Redis
db 11 under a prefix of its own (`CEDULA_BENCH_REDIS_URL`), both dropped at the end. Only this
process's main thread is counted: the PostgreSQL and Redis servers' own work is not (as the HTTP
comparison's `/cpu-s` counts the Cédula server process only, `bench/servers.py`).
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import bench.callgrind_token as token
from bench.scenarios import bench_app
from bench.servers import POSTGRES_ADMIN_URL, REDIS_URL


def main(count: int, signals: Path, scenario: str = "token") -> None:
    import psycopg
    import redis

    name = f"cedula_callgrind_{os.getpid()}_{secrets.token_hex(3)}"
    prefix = f"cedula-callgrind-{os.getpid()}:"
    admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def production_app(data_dir: Path, **sections: Any):
        return bench_app(data_dir, database_url=url, store={"redis_url": REDIS_URL, "key_prefix": prefix},
                         **sections)

    token._app = production_app  # type: ignore[assignment]
    try:
        token.main(count, signals, scenario)
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=prefix + "*", count=1000):
            client.delete(key)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        os._exit(0)  # the app's background threads would log the dropped database


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:4])
