"""Timing loop: run a step many times on one core, report throughput and latency percentiles."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    name: str
    iterations: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.iterations / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def as_dict(self) -> dict:
        return {"name": self.name, "iterations": self.iterations, "ops_per_second": round(self.per_second, 1),
                "p50_ms": round(self.percentile(50), 3), "p95_ms": round(self.percentile(95), 3),
                "p99_ms": round(self.percentile(99), 3), "mean_ms": round(statistics.fmean(self.latencies_ms), 3)}


def measure(name: str, step: Callable[[], Callable[[], object]], *, seconds: float, warmup: int = 20) -> Result:
    """`step()` prepares one iteration (untimed) and returns the callable to time."""
    for _ in range(warmup):
        step()()
    gc.collect()
    latencies: list[float] = []
    spent = 0.0
    while spent < seconds:
        timed = step()
        started = time.perf_counter()
        timed()
        elapsed = time.perf_counter() - started
        spent += elapsed
        latencies.append(elapsed * 1000)
    return Result(name, len(latencies), spent, latencies)
