"""`make bench` / `python -m bench [SCENARIO ...] [--seconds N] [--json]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, scenarios
from bench.cpu_caps import CapRefused, check_cores
from bench.harness import Result, Skipped
from bench.scenarios import SCENARIOS, as_json, run

COLUMNS = (("ops/s", "ops_per_second", 10), ("p50 ms", "p50_ms", 10), ("p95 ms", "p95_ms", 10),
           ("p99 ms", "p99_ms", 10))


def _spread(row: dict) -> str:
    """(max - min) / median of the repetitions' /cpu-s (ops/s without CPU time), in percent."""
    return f"±{row['spread'] * 50:.0f}%" if row.get("spread") is not None and len(row.get("runs", ())) > 1 else ""


def table(results: list[Result | Skipped]) -> str:
    """One row per measurement; in a comparison, `vs base` is ops/s over the baseline's ops/s
    (above 1: Cédula is faster); `/cpu-s` is operations per second of CPU time (the server's
    CPU time over HTTP), which waiting for a busy core does not inflate, and `cpu vs` compares it;
    `spread` is half the range of the repetitions' /cpu-s around the median reported."""
    baselines = {r.group: r for r in results if isinstance(r, Result) and r.baseline}
    width = max([44, *(len(r.name) + 2 for r in results)])
    lines = [f"{'scenario':<{width}}" + "".join(f"{title:>{w}}" for title, _, w in COLUMNS)
             + f"{'vs base':>10}{'/cpu-s':>10}{'cpu vs':>9}{'spread':>9}"]
    group = None
    for result in results:
        if group is not None and result.group != group:
            lines.append("")
        group = result.group
        if isinstance(result, Skipped):
            lines.append(f"{result.name:<{width}}skipped: {result.reason}")
            continue
        row = result.as_dict()
        base = baselines.get(result.group)
        ratio = (f"{result.per_second / base.per_second:.2f}x"
                 if base is not None and base.per_second and not result.baseline else "")
        cpu = row.get("per_cpu_second")
        base_cpu = base.extra.get("per_cpu_second") if base is not None else None
        cpu_ratio = f"{cpu / base_cpu:.2f}x" if cpu and base_cpu and not result.baseline else ""
        lines.append(f"{result.name:<{width}}" + "".join(f"{row[key]:>{w}}" for _, key, w in COLUMNS)
                     + f"{ratio:>10}{cpu if cpu is not None else '':>10}{cpu_ratio:>9}"
                     + f"{_spread(row):>9}")
    return "\n".join(lines)


def counts(results: list[Result | Skipped]) -> str:
    """`--count`: the work per operation."""
    width = max([44, *(len(r.name) + 2 for r in results)])
    lines = [f"{'scenario':<{width}}{'calls/op':>10}{'SQL/op':>8}{'commits/op':>11}"]
    for result in results:
        if isinstance(result, Result) and "calls_per_op" in result.extra:
            row = result.extra
            lines.append(f"{result.name:<{width}}{row['calls_per_op']:>10}{row['sql_per_op']:>8}"
                         f"{row['commits_per_op']:>11}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description="Benchmarks of Cédula's hot paths (one core).")
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help=f"any of: {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds per measurement (default 3)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed repetitions of each measurement, median reported (default 3)")
    parser.add_argument("--count", type=int, default=0, metavar="N",
                        help="in-process scenarios: instead of timing, count Python calls, SQL statements "
                             "and commits per operation over N operations (other load does not change them)")
    parser.add_argument("--cap-workers", type=float, default=scenarios.CAP_WORKERS, metavar="CORES",
                        help="http-production-capped: the CPU each server worker may use, in cores "
                             f"(cgroup v1 quota; default {scenarios.CAP_WORKERS})")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args()
    if args.list:
        for name, function in SCENARIOS.items():
            print(f"{name:<25}{(function.__doc__ or '').strip().splitlines()[0]}")
        return
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    if not 0 < args.seconds <= 120:
        parser.error("--seconds must be more than 0 and at most 120")
    if not 1 <= args.repeat <= 9:
        parser.error("--repeat must be between 1 and 9")
    harness.REPEAT = args.repeat
    if not 0 <= args.count <= 10_000:
        parser.error("--count must be between 0 and 10000")
    harness.COUNT = args.count
    try:
        scenarios.CAP_WORKERS = check_cores(args.cap_workers)
    except CapRefused as exc:
        parser.error(f"--cap-workers: {exc}")
    results = run(args.scenarios or list(SCENARIOS), args.seconds)
    print(as_json(results) if args.json else counts(results) if args.count else table(results))


if __name__ == "__main__":
    main()
