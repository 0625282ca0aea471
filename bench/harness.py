"""Timing loop: run a step many times on one core, report throughput and latency percentiles."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Result:
    name: str
    iterations: int
    seconds: float
    latencies_ms: list[float]
    group: str = ""
    """Results of one group are compared with each other (e.g. "seal B-LTA")."""
    side: str = "cedula"
    """Whose code ran: "cedula", or the baseline ("pyhanko", "oidc-provider")."""
    baseline: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.iterations / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def as_dict(self) -> dict:
        mean = statistics.fmean(self.latencies_ms) if self.latencies_ms else 0.0
        return {"name": self.name, "group": self.group or self.name, "side": self.side,
                "baseline": self.baseline, "iterations": self.iterations,
                "seconds": round(self.seconds, 3), "ops_per_second": round(self.per_second, 1),
                "p50_ms": round(self.percentile(50), 3), "p95_ms": round(self.percentile(95), 3),
                "p99_ms": round(self.percentile(99), 3), "mean_ms": round(mean, 3), **self.extra}


def median_of(runs: list[Result]) -> Result:
    """The repetition with the median operations per CPU-second (per second when no CPU time
    was read), carrying every repetition's figure and their spread: on a shared machine the
    spread says how far to trust the row."""
    def key(result: Result) -> float:
        return result.extra.get("per_cpu_second") or result.per_second

    ordered = sorted(runs, key=key)
    middle = ordered[len(ordered) // 2]
    figures = [round(key(r), 1) for r in runs]
    spread = (max(figures) - min(figures)) / key(middle) if key(middle) else 0.0
    return replace(middle, extra={**middle.extra, "runs": figures, "spread": round(spread, 3)})


@dataclass(frozen=True)
class Skipped:
    """One side of a comparison that could not run, and why (e.g. node is not installed)."""

    name: str
    group: str
    side: str
    reason: str
    baseline: bool = True

    def as_dict(self) -> dict:
        return {"name": self.name, "group": self.group, "side": self.side,
                "baseline": self.baseline, "skipped": self.reason}


REPEAT = 3  # timed repetitions of each measurement (`--repeat`); the median is reported
COUNT = 0  # `--count N`: instead of timing, count the work of N iterations (see `count`)


def measure(name: str, step: Callable[[], Callable[[], object]], *, seconds: float, warmup: int = 20,
            repeat: int | None = None, **labels: Any) -> Result:
    """`step()` prepares one iteration (untimed) and returns the callable to time; `repeat`
    timed windows of `seconds` each, after `warmup` untimed iterations; the median window.

    Besides wall-clock latency, the process CPU time of the timed parts is summed: on a busy
    machine wall time includes waiting for a core, CPU time does not (`per_cpu_second`).
    """
    for _ in range(warmup):
        step()()
    if COUNT:
        return count(name, step, iterations=COUNT, **labels)
    return median_of([_window(name, step, seconds=seconds, **labels) for _ in range(repeat or REPEAT)])


def _window(name: str, step: Callable[[], Callable[[], object]], *, seconds: float, **labels: Any) -> Result:
    gc.collect()
    latencies: list[float] = []
    spent = cpu = 0.0
    while spent < seconds:
        timed = step()
        cpu_started = time.process_time()
        started = time.perf_counter()
        timed()
        elapsed = time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        spent += elapsed
        latencies.append(elapsed * 1000)
    extra = {"cpu_seconds": round(cpu, 3), "per_cpu_second": round(len(latencies) / cpu, 1) if cpu else None}
    return Result(name, len(latencies), spent, latencies, extra=extra, **labels)


def count(name: str, step: Callable[[], Callable[[], object]], *, iterations: int, **labels: Any) -> Result:
    """The work of one operation in numbers that other load on the machine does not change:
    Python function calls (Python and C functions, counted by a profile hook), SQL statements
    and commits of this thread, averaged over `iterations` (after the warm-up). A change that makes these
    smaller makes the operation cheaper on any machine; timings on a shared one may not show it."""
    import sys
    import threading

    import sqlalchemy as sa

    calls = statements = commits = 0
    active = False
    mine = threading.get_ident()  # background threads (the log's sealer, deliveries) are not counted

    def on_call(_frame, event, _arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    def on_statement(*_args):
        nonlocal statements
        statements += active and threading.get_ident() == mine

    def on_commit(*_args):
        nonlocal commits
        commits += active and threading.get_ident() == mine

    # The group commit runs its batches on the driver's connection, which SQLAlchemy's events
    # do not see: its statements and its COMMIT are counted where it sends them.
    from infra.group_commit import GroupCommit

    on_driver = GroupCommit._run_on_driver

    def counted(group, calls):
        nonlocal statements, commits
        if active and threading.get_ident() == mine:
            statements += len(calls)
            commits += 1
        return on_driver(group, calls)

    GroupCommit._run_on_driver = counted
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", on_statement)
    sa.event.listen(sa.engine.Engine, "commit", on_commit)
    try:
        for _ in range(iterations):
            timed = step()  # the step's own preparation is not counted: only what `timed` runs
            active = True
            sys.setprofile(on_call)
            try:
                timed()
            finally:
                sys.setprofile(None)
                active = False
    finally:
        GroupCommit._run_on_driver = on_driver
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", on_statement)
        sa.event.remove(sa.engine.Engine, "commit", on_commit)
    calls -= iterations  # the hook also sees the call that removes it (sys.setprofile(None))
    extra = {"calls_per_op": round(calls / iterations), "sql_per_op": round(statements / iterations, 2),
             "commits_per_op": round(commits / iterations, 2), "per_cpu_second": None}
    return Result(name, iterations, 0.0, [], extra=extra, **labels)
