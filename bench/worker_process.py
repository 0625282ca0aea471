"""The serving worker's process, side by side (issue 16): `cedula serve` as in `http-token` /
`http-userinfo` (bench/servers.py: one worker on core 0, the driver's 8 keep-alive connections
on core 1), under several set-ups in one run, in rounds (A B C A B C ...), so that a change of
the machine's load falls on every set-up alike:

    python -m bench.worker_process token userinfo --seconds 2 --rounds 2 \\
        --variant threads=8 --variant threads=2 --variant gc=unfreeze

A variant is `threads=N` (`CEDULA_SERVER_THREADS`), `gc=PARTS` (the process set-up of
bench/worker_site/sitecustomize.py, comma-separated: `default`, `freeze`, `unfreeze`, `t0=N`,
`switch=S`; so `gc=unfreeze,t0=7000` is one variant) or both joined with `+`
(`threads=2+gc=unfreeze`). `default` is what `cedula serve` does (since issue 16's pass on the
worker process: `gc.freeze()` once the app is built); `unfreeze` is the set-up before it. Each
row: requests per second of the server's CPU (the median window of `--repeat`), the spread, and
the worker's garbage collections in the timed windows (by generation, per 1,000 requests, and
the share of the server's CPU spent in them), its RSS at the end. `uptime` is printed per round.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, servers

SITE = Path(__file__).resolve().parent / "worker_site"


def _environment(variant: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for part in variant.split("+"):
        key, _, value = part.partition("=")
        if key == "threads":
            env["CEDULA_SERVER_THREADS"] = value
        elif key == "gc":
            env["CEDULA_BENCH_WORKER_GC"] = value
        else:
            raise SystemExit(f"unknown variant part {part!r}: threads=N or gc=PARTS")
    return env


def _gc_state(folder: Path) -> dict:
    """The collections so far, summed over the server's processes (the worker makes them)."""
    total = {"collections": [0, 0, 0], "seconds": 0.0, "rss_mb": 0.0, "frozen": 0}
    for path in glob.glob(str(folder / "*.json")):
        try:
            state = json.loads(Path(path).read_text())
        except (OSError, ValueError):
            continue
        total["collections"] = [a + b for a, b in zip(total["collections"], state["collections"], strict=True)]
        total["seconds"] += state["seconds"]
        total["rss_mb"] = max(total["rss_mb"], state["rss_mb"])
        total["frozen"] = max(total["frozen"], state["frozen"])
    return total


def measure(what: str, variant: str, seconds: float, root: Path) -> dict:
    folder = Path(tempfile.mkdtemp(dir=root))
    logs = folder / "gc"
    logs.mkdir()
    saved = dict(os.environ)
    os.environ.update(_environment(variant))
    os.environ["CEDULA_BENCH_WORKER_GC_LOG"] = str(logs)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SITE), str(servers.ROOT), saved.get("PYTHONPATH", "")])
    original = servers._window
    collected: list[dict] = []

    def window(side, **load):
        time.sleep(0.3)
        before = _gc_state(logs)
        result = original(side, **load)
        time.sleep(0.3)  # the worker writes its counts every 0.2 s
        after = _gc_state(logs)
        collected.append({"collections": [b - a for a, b in zip(before["collections"], after["collections"],
                                                                strict=True)],
                          "seconds": after["seconds"] - before["seconds"], "requests": result.requests,
                          "cpu": result.server_cpu_seconds})
        return replace(result)

    servers._window = window
    cedula = servers.Cedula(folder / "cedula")
    try:
        cedula.launch()
        loads = servers.MEASURES[what](cedula, seconds)
        end = _gc_state(logs)
    finally:
        cedula.stop()
        servers._window = original
        os.environ.clear()
        os.environ.update(saved)
    rates = [load.requests / load.server_cpu_seconds for load in loads if load.server_cpu_seconds]
    requests = sum(c["requests"] for c in collected)
    cpu = sum(c["cpu"] or 0.0 for c in collected)
    counts = [sum(c["collections"][g] for c in collected) for g in range(3)]
    gc_seconds = sum(c["seconds"] for c in collected)
    median = statistics.median(rates)
    return {"what": what, "variant": variant, "cpu_s": round(median, 1),
            "spread_pct": round((max(rates) - min(rates)) / 2 / median * 100, 1),
            "windows": [round(r, 1) for r in rates],
            "collections_per_1000": [round(c * 1000 / requests, 2) for c in counts],
            "gc_share_pct": round(gc_seconds / cpu * 100, 2) if cpu else None,
            "gc_ms_per_1000": round(gc_seconds * 1e6 / requests, 1),
            "frozen": end["frozen"], "rss_mb": end["rss_mb"], "requests": requests}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="+", choices=["token", "userinfo"])
    parser.add_argument("--variant", action="append", required=True)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    harness.REPEAT = args.repeat
    with tempfile.TemporaryDirectory(prefix="cedula-bench-worker-") as root:
        for index in range(args.rounds):
            load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
            print(f"# round {index + 1}: {load}", flush=True)
            for what in args.what:
                for variant in args.variant:
                    print(json.dumps(measure(what, variant, args.seconds, Path(root))), flush=True)
        load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
        print(f"# end: {load}", flush=True)


if __name__ == "__main__":
    main()
