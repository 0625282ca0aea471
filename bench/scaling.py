"""1 worker vs 2 workers, each worker capped at a fraction of a core (issue 16: "2 workers
>= 1.8x one worker with keep-alive clients"), on PostgreSQL + Redis.

Uncapped (`http-production`), two workers on this 2-core machine share both cores with the
driver, PostgreSQL and Redis, so the ratio measures the machine. Here every worker process
gets a cgroup of its own capped at `cap` of a core (bench/cpu_caps.py): 1 worker = `cap`
core, 2 workers = 2 x `cap`, and what is left of the machine runs the driver and the stores.
Nothing is pinned to a core (the caps do the dividing). The workers' groups and the driver's own
group (not capped) weigh ten ordinary processes each (`cpu.shares`), so that other load on a
shared machine does not take their quota: the driver, PostgreSQL and Redis still compete with it.

Per window, besides ops/s: each worker's answers (the driver counts answers per connection,
and the connection's server end is found in /proc/net/tcp and the workers' file descriptors),
its keep-alive connections, its CPU time as a share of its quota (`cap_used`: near 100% means
the worker was busy up to its cap, well below means it waited: on the stores, on a lock, for
work, or for a core the busy machine did not give it) and how often the kernel throttled it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from bench import harness, http
from bench.cpu_caps import CapRefused, CpuCaps, Group
from bench.harness import Result, Skipped
from bench.servers import CONCURRENCY, PRODUCTION, SETTLE_SECONDS, WARMUP_SECONDS, Cedula, Unavailable

CAP = 0.25  # of a core, per worker (`--cap-workers`)
WORKERS = (1, 2)


def workers_of(pid: int) -> list[int]:
    """The worker processes of the server `pid` (its children but multiprocessing's resource
    tracker)."""
    children: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            children.extend(int(child) for child in fh.read().split())
    workers = []
    for child in children:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as fh:
                if b"resource_tracker" in fh.read():
                    continue
        except FileNotFoundError:
            continue
        workers.append(child)
    return sorted(workers)


def server_ends(port: int, table: str = "/proc/net/tcp") -> dict[int, int]:
    """The socket inode of each established connection to `port`, by the client's port."""
    ends: dict[int, int] = {}
    with open(table) as fh:
        next(fh)
        for line in fh:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                ends[int(remote.rsplit(":", 1)[1], 16)] = inode
    return ends


def sockets_of(pid: int) -> set[int]:
    """The inodes of the sockets process `pid` holds open."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    except FileNotFoundError:
        pass
    return inodes


def owners(port: int, workers: list[int]) -> dict[int, int]:
    """Which worker holds each client connection to `port`: client port -> worker pid."""
    held = {pid: sockets_of(pid) for pid in workers}
    return {client: pid for client, inode in server_ends(port).items()
            for pid, inodes in held.items() if inode in inodes}


def per_worker(by_port: dict[int, int], owner: dict[int, int], workers: list[int]) -> tuple[list[int], list[int]]:
    """Answers and connections of each worker, in `workers`' order (a connection whose owner
    was not found is left out)."""
    answers = [sum(n for port, n in by_port.items() if owner.get(port) == pid) for pid in workers]
    connections = [sum(1 for port in by_port if owner.get(port) == pid) for pid in workers]
    return answers, connections


class CappedCedula(Cedula):
    """`cedula serve` on PostgreSQL + Redis, not pinned, each worker in a capped cgroup."""

    def __init__(self, folder: Path, *, workers: int, caps: CpuCaps) -> None:
        super().__init__(folder, backend=PRODUCTION, workers=workers)
        self.caps = caps
        self.groups: list[Group] = []
        self.windows: list[dict] = []
        self.concurrency = CONCURRENCY * workers  # as many connections as the workers have threads

    def start(self, command: list[str], env: dict[str, str], cores: set[int] | None = None) -> None:
        super().start(command, env, cores=set(os.sched_getaffinity(0)))

    def cap(self) -> None:
        """Each worker in its own capped group (bounded wait for every worker to be up)."""
        assert self.process is not None
        deadline = time.monotonic() + 30
        while len(found := workers_of(self.process.pid)) != self.workers:
            if time.monotonic() > deadline:
                raise http.LoadError(f"expected {self.workers} workers, found {len(found)}")
            time.sleep(0.2)
        self.groups = [self.caps.add(pid) for pid in found]

    def window(self, **load) -> http.Load:
        pids = [group.pid for group in self.groups]
        cpu_before = [http.cpu_seconds(pid) for pid in pids]
        stat_before = [group.stat() for group in self.groups]
        assert self.process is not None
        result = http.run(port=self.port, concurrency=self.concurrency, server_pid=self.process.pid,
                          probe=lambda: owners(self.port, pids), **load)
        cpu = [http.cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
        throttled = [group.stat().get("nr_throttled", 0) - before.get("nr_throttled", 0)
                     for group, before in zip(self.groups, stat_before, strict=True)]
        answers, connections = per_worker(result.by_port, result.probed or {}, pids)  # type: ignore[arg-type]
        quota = self.caps.cores * result.seconds
        self.windows.append({
            "worker_ops": answers, "worker_connections": connections,
            "worker_cpu_seconds": [round(c, 3) for c in cpu],
            "worker_cpu_ms_per_op": [round(1000 * c / n, 2) if n else None for c, n in zip(cpu, answers, strict=True)],
            "sealer_worker": self.sealer(pids),
            "cap_used": [round(c / quota, 2) for c in cpu], "throttled_periods": throttled,
            "driver_cpu_seconds": result.driver_cpu_seconds, "load": round(os.getloadavg()[0], 1)})
        return result

    def sealer(self, pids: list[int]) -> int | None:
        """Which of `pids` (its index) holds the data-sharing log's sealer lease: that worker
        also chains every worker's log entries (one process of the cluster at a time)."""
        import psycopg

        with psycopg.connect(self.database_url, connect_timeout=5) as connection:
            row = connection.execute("SELECT holder FROM infra_leases WHERE name = 'audit-log-sealer'").fetchone()
        holder = int(row[0].split(":")[1]) if row else None
        return pids.index(holder) if holder in pids else None


def _token(side: CappedCedula, seconds: float) -> list[http.Load]:
    """A pilot sizes the batches of codes (single use), a warm-up window, every timed window's
    codes made beforehand, an untimed settling window, then the timed windows back to back."""
    load = {"port": side.port, "concurrency": side.concurrency}

    def batch(count: int) -> list[http.Request]:
        return [side.token_request(*code) for code in side.codes(count)]

    pilot = http.run(requests=batch(300), seconds=30, **load)
    rate = pilot.requests / pilot.seconds
    warm = max(WARMUP_SECONDS, seconds)
    rate = max(rate, (done := http.run(requests=batch(int(rate * warm * 2) + 100), seconds=warm, **load))
               .requests / done.seconds)
    windows = [batch(int(rate * seconds * 2) + 100) for _ in range(harness.REPEAT)]
    http.run(requests=batch(int(rate * SETTLE_SECONDS * 2) + 50), seconds=SETTLE_SECONDS, **load)
    return [side.window(requests=window, seconds=seconds) for window in windows]


def _row(side: CappedCedula, loads: list[http.Load], *, name: str, group: str) -> Result:
    runs = []
    for load, watched in zip(loads, side.windows[-len(loads):], strict=True):
        cpu = load.server_cpu_seconds
        extra = {"concurrency": side.concurrency, "cap_cores": side.caps.cores,
                 "cpu_seconds": round(cpu, 3) if cpu is not None else None,
                 "per_cpu_second": round(load.requests / cpu, 1) if cpu else None, **watched}
        runs.append(Result(name, load.requests, load.seconds, load.latencies_ms, group=group, side="cedula",
                           baseline=False, extra=extra))
    # The median by ops/s (the caps fix the CPU: ops per CPU-second would not say who scaled).
    ordered = sorted(runs, key=lambda r: r.per_second)
    middle = ordered[len(ordered) // 2]
    figures = [round(r.per_second, 1) for r in runs]
    spread = (max(figures) - min(figures)) / middle.per_second if middle.per_second else 0.0
    return Result(middle.name, middle.iterations, middle.seconds, middle.latencies_ms, group=group,
                  side="cedula", baseline=False,
                  extra={**middle.extra, "runs": figures, "spread": round(spread, 3)})


def compare(seconds: float, *, cap: float = CAP, workers: tuple[int, ...] = WORKERS) -> list[Result | Skipped]:
    """`/token` on PostgreSQL + Redis with 1 and 2 workers, each capped at `cap` of a core; the
    first row is the baseline (`vs base` of the second = the scaling ratio)."""
    group = f"http token (PostgreSQL + Redis, {cap:g} core per worker)"
    try:
        caps = CpuCaps(cap, name="cedula-bench-worker")
        driver = CpuCaps(cap, name="cedula-bench-driver")
        driver.add(os.getpid(), capped=False)  # weighted like a worker, not capped
    except CapRefused as exc:
        return [Skipped(f"{group}: cédula serve", group, "cedula", str(exc), baseline=False)]
    results: list[Result | Skipped] = []
    with driver, caps, tempfile.TemporaryDirectory(prefix="cedula-bench-scaling-") as folder:
        for count in workers:
            side = CappedCedula(Path(folder) / f"capped-{count}", workers=count, caps=caps)
            name = f"{group}: cédula serve {side.server} ({count} worker{'s' if count > 1 else ''})"
            try:
                side.launch()
                side.cap()
                result = _row(side, _token(side, seconds), name=name, group=group)
                if count == workers[0]:
                    result = Result(result.name, result.iterations, result.seconds, result.latencies_ms,
                                    group=group, side="cedula", baseline=True, extra=result.extra)
                print(f"{name}: {result.per_second:.0f} ops/s; per worker: answers "
                      f"{result.extra['worker_ops']}, connections {result.extra['worker_connections']}, "
                      f"CPU ms per answer {result.extra['worker_cpu_ms_per_op']} (the sealer in worker "
                      f"{result.extra['sealer_worker']}), cap used {result.extra['cap_used']}, throttled periods "
                      f"{result.extra['throttled_periods']}; driver CPU {result.extra['driver_cpu_seconds']} s "
                      f"in {result.seconds:.1f} s; load {result.extra['load']}; runs {result.extra['runs']}",
                      file=sys.stderr)
                results.append(result)
            except (Unavailable, CapRefused) as exc:
                results.append(Skipped(name, group, "cedula", str(exc), baseline=False))
            finally:
                side.stop()
                caps.close()
    return results
