"""`make bench` / `python -m bench [SCENARIO ...] [--seconds N] [--json]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scenarios import SCENARIOS, as_json, run


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description="Benchmarks of Cédula's hot paths (one core).")
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help=f"any of: {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds per scenario (default 3)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    results = run(args.scenarios or list(SCENARIOS), args.seconds)
    if args.json:
        print(as_json(results))
        return
    print(f"{'scenario':<32}{'ops/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for result in results:
        row = result.as_dict()
        print(f"{row['name']:<32}{row['ops_per_second']:>10}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['p99_ms']:>10}")


if __name__ == "__main__":
    main()
