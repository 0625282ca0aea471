"""`make loadtest`: the realistic mix (bench/locustfile.py) under Locust, headless and bounded,
against one node and two nodes, on SQLite and on PostgreSQL + Redis (tests/cluster/topology.py
starts each on loopback: own PostgreSQL and Redis, `cedula serve`, HAProxy in front).

    python -m bench.loadtest                         # every configuration, 30 s each
    python -m bench.loadtest --seconds 60 --users 16 pg-2

Prints, per configuration: requests, throughput, p50/p95/p99 (ms) and error rate.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.cluster.topology import ROOT, running

CONFIGURATIONS = {
    # name: (backend, nodes, workers per node)
    "sqlite-1": ("sqlite", 1, 1),   # the embedded default: one process, in-process store
    "sqlite-2": ("sqlite", 2, 2),   # two nodes over one SQLite file (one machine) and Redis
    "pg-1": ("postgresql", 1, 2),
    "pg-2": ("postgresql", 2, 2),
}


def run(name: str, *, seconds: int, users: int) -> dict[str, str]:
    backend, nodes, workers = CONFIGURATIONS[name]
    with tempfile.TemporaryDirectory(prefix=f"cedula-load-{name}-") as folder, \
            running(Path(folder), backend=backend, nodes_count=nodes, workers=workers) as topology:
        assert topology.agency is not None and topology.haproxy is not None
        env = {**os.environ, "CEDULA_LOADTEST_URL": topology.url(""), "CEDULA_LOADTEST_ISSUER": topology.issuer,
               "CEDULA_LOADTEST_CLIENT_ID": topology.agency.client_id,
               "CEDULA_LOADTEST_CLIENT_SECRET": topology.agency.secret, "PYTHONPATH": str(ROOT)}
        prefix = Path(folder) / "stats"
        subprocess.run([str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                        "--headless", "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
                        "--stop-timeout", "10", "--host", topology.url(""), "--csv", str(prefix), "--only-summary",
                        "--loglevel", "WARNING"], env=env, check=False, timeout=seconds + 120, cwd=ROOT)
        with open(f"{prefix}_stats.csv", newline="") as fh:
            rows = {row["Name"]: row for row in csv.DictReader(fh)}
    return rows["Aggregated"]


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: configurations (default: all four), --seconds, --users."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("configurations", nargs="*", metavar="configuration",
                        help=f"any of {', '.join(CONFIGURATIONS)} (default: all)")
    parser.add_argument("--seconds", type=int, default=30, help="timed run per configuration (5-600)")
    parser.add_argument("--users", type=int, default=8, help="simulated users (1-64)")
    args = parser.parse_args(argv)
    if not 5 <= args.seconds <= 600 or not 1 <= args.users <= 64:
        parser.error("--seconds must be 5-600 and --users 1-64")
    unknown = [name for name in args.configurations if name not in CONFIGURATIONS]
    if unknown:
        parser.error(f"unknown configuration {', '.join(unknown)}: choose from {', '.join(CONFIGURATIONS)}")
    args.configurations = args.configurations or list(CONFIGURATIONS)
    return args


def main() -> None:
    args = arguments()
    print(f"{'configuration':<14}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>9}")
    for name in args.configurations:
        row = run(name, seconds=args.seconds, users=args.users)
        total, failed = int(row["Request Count"]), int(row["Failure Count"])
        print(f"{name:<14}{total:>10}{float(row['Requests/s']):>9.1f}{row['50%']:>9}{row['95%']:>9}"
              f"{row['99%']:>9}{(failed / total if total else 0):>9.2%}", flush=True)


if __name__ == "__main__":
    main()
