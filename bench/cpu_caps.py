"""CPU caps for the server's workers: one cgroup (v1 `cpu` controller, CFS bandwidth) per
worker process, `cpu.cfs_quota_us` / `cpu.cfs_period_us` = the fraction of a core it may use.

Why: on a 2-core machine two uncapped workers share both cores with the load driver,
PostgreSQL and Redis, so 2 workers vs 1 measures the machine, not the server. Capped at e.g.
0.4 core each, 1 worker gets 0.4 core and 2 workers 0.8 core, and the rest of the machine is
left to the driver and the stores: if the server scales, 2 workers do about twice the work.
Whether a cap was actually reached (the machine may have been too busy to give a worker even
its 0.4 core) is read back from each group (`used`, `throttled`): a row whose workers did not
use their quota measures the machine again, and says so.

Limits: needs the v1 `cpu` controller mounted writable (root, or a delegated folder); no
cgroup v2 support (its `cpu.max` is another file); a worker's threads started after it joined
stay in its group (the kernel puts a new thread in its process's group), but a replaced worker
(respawn, SIGHUP) is not capped.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup/cpu")
PERIOD_US = 100_000  # the kernel's default CFS period: 100 ms
# Each group's weight against everything else that wants a core (1024 = one ordinary process):
# a busy machine (other benchmarks, test suites) must not take a worker's quota from it, or the
# row measures the machine again. The quota still bounds the group.
SHARES = 10 * 1024


class CapRefused(RuntimeError):
    """The caps cannot be set here (no cgroup v1 cpu controller, no permission, a bad figure)."""


@dataclass(frozen=True)
class Group:
    """One worker's group: its folder and the worker in it."""

    path: Path
    pid: int

    def stat(self) -> dict[str, int]:
        """`cpu.stat`: nr_periods, nr_throttled, throttled_time (ns), ..."""
        try:
            lines = (self.path / "cpu.stat").read_text().split("\n")
        except OSError:
            return {}
        return {name: int(value) for name, value in (line.split() for line in lines if line.strip())}


def quota_us(cores: float, period_us: int = PERIOD_US) -> int:
    """The quota for `cores` of a core per period (the kernel's minimum is 1 ms)."""
    return max(1000, round(cores * period_us))


def check_cores(cores: float, available: int | None = None) -> float:
    """`cores` if it is a cap that can work here, else CapRefused saying what to pass."""
    available = available or os.cpu_count() or 1
    if not 0.05 <= cores <= available:
        raise CapRefused(f"a cap of {cores} core per worker cannot work on this machine: pass a "
                         f"fraction of a core between 0.05 and {available} (e.g. 0.25).")
    return cores


class CpuCaps:
    """Groups made under `root` for one run; `close()` moves their tasks back and removes them."""

    def __init__(self, cores: float, *, root: Path = ROOT, name: str = "cedula-bench") -> None:
        self.cores = check_cores(cores)
        self.root = root
        self.name = f"{name}-{os.getpid()}"
        self.groups: list[Group] = []
        if not (root / "cpu.cfs_quota_us").exists():
            raise CapRefused(f"no cgroup v1 cpu controller at {root} (cpu.cfs_quota_us is missing): "
                             "run without --cap-workers, or on a machine that mounts it.")

    def add(self, pid: int, *, capped: bool = True) -> Group:
        """A new group for the process `pid` (all its threads), weighing `SHARES`, capped at
        `cores` (or not capped: the load driver, which only needs a core when it asks)."""
        path = self.root / f"{self.name}-{len(self.groups)}"
        try:
            path.mkdir()
            (path / "cpu.shares").write_text(str(SHARES))
            if capped:
                (path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
                (path / "cpu.cfs_quota_us").write_text(str(quota_us(self.cores)))
            (path / "cgroup.procs").write_text(str(pid))
        except OSError as exc:
            self._remove(path)
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise CapRefused(f"cannot make a cgroup under {self.root} ({exc.strerror}): run as "
                                 "root or in a delegated cgroup, or run without --cap-workers.") from exc
            raise CapRefused(f"cannot cap process {pid} under {path}: {exc}") from exc
        group = Group(path, pid)
        self.groups.append(group)
        return group

    def close(self) -> None:
        """Every task back in the root group, every group removed (a gone task is skipped)."""
        for group in self.groups:
            self._remove(group.path)
        self.groups.clear()

    def _remove(self, path: Path) -> None:
        if not path.is_dir():
            return
        try:
            tasks = (path / "cgroup.procs").read_text().split()
        except OSError:
            tasks = []
        for task in tasks:
            try:
                (self.root / "cgroup.procs").write_text(task)
            except OSError:  # gone meanwhile
                continue
        try:
            path.rmdir()
        except OSError:
            pass  # a task that could not be moved keeps it; the kernel frees it when they end

    def __enter__(self) -> CpuCaps:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
