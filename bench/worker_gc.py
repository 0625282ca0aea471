"""What Python's cyclic garbage collector costs a request, in-process (issue 16): the
collections that 1,000 `/token` (or UserInfo) requests trigger, per generation, and the time
spent in them (`gc.callbacks`), under a few collector set-ups, each in a new interpreter:

    python -m bench.worker_gc [token|userinfo] [N]

`default` is CPython's (thresholds 700, 10, 10); `freeze` is `gc.freeze()` once the app is
built, before the first request (what `cedula serve`'s worker does: idp/serve_granian.py);
`t0=N` raises generation 0's threshold. The requests go straight through `app.wsgi_app`, as in
bench/callgrind_token.py (whose counts leave the collector out). Printed per set-up: the
collections per 1,000 requests by generation, milliseconds in the collector per 1,000 requests,
the process's CPU milliseconds per request, how long one full collection (`gc.collect()`)
takes after the run (every thread waits for it: it holds the interpreter lock), the objects the
collector tracks (permanent generation apart) and the peak RSS.
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = ("default", "freeze", "t0=7000", "freeze,t0=7000", "freeze,t0=2000")


def _setup(variant: str) -> None:
    for part in variant.split(","):
        if part == "freeze":
            gc.collect()
            gc.freeze()
        elif part.startswith("t0="):
            gc.set_threshold(int(part[3:]), *gc.get_threshold()[1:])


def measure(variant: str, scenario: str, count: int) -> dict:
    from bench.scenarios import _app, _consented
    from bench.wsgi_requests import Prepared, send, token_exchanges, userinfo
    from tests.idp.oidc.conftest import tokens_for

    app = _app(Path(tempfile.mkdtemp()), oidc={"code_seconds": 600})
    browser, agency = _consented(app, 10000002)
    _setup(variant)  # the worker's app is built: the set-up under test
    token = tokens_for(browser, agency)["access_token"]

    def requests(n: int) -> Prepared:
        if scenario == "userinfo":
            return [(userinfo(token), b"")] * n
        return token_exchanges(browser, agency, n)

    def run(prepared: Prepared) -> None:
        for environ, body in prepared:
            line, headers = send(app, environ, body)
            assert line.startswith("200"), (line, headers)

    run(requests(50))  # warm: caches filled, statements compiled
    prepared = requests(count)
    collections = [0, 0, 0]
    spent = [0.0]
    started: list[float] = []

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        else:
            spent[0] += time.perf_counter() - started.pop()
            collections[info["generation"]] += 1

    gc.callbacks.append(callback)
    cpu = time.process_time()
    run(prepared)
    cpu = time.process_time() - cpu
    gc.callbacks.remove(callback)
    fulls = []
    for _ in range(3):  # what a full collection holds every thread up for, in this set-up (CPU time)
        full = time.process_time()
        gc.collect()
        fulls.append(time.process_time() - full)
    full = statistics.median(fulls)
    per = 1000 / count
    return {"variant": variant, "scenario": scenario, "requests": count,
            "collections_per_1000": [round(c * per, 1) for c in collections],
            "gc_ms_per_1000": round(spent[0] * 1000 * per, 1),
            "cpu_ms_per_request": round(cpu * 1000 / count, 3),
            "gc_share": round(spent[0] / cpu, 4) if cpu else 0.0, "full_collection_ms": round(full * 1000, 1),
            "tracked": len(gc.get_objects()), "frozen": gc.get_freeze_count(),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--one":
        print(json.dumps(measure(argv[1], argv[2], int(argv[3]))))
        return
    scenario = argv[0] if argv else "token"
    count = int(argv[1]) if len(argv) > 1 else 2000
    for variant in VARIANTS:
        done = subprocess.run([sys.executable, "-m", "bench.worker_gc", "--one", variant, scenario, str(count)],
                              capture_output=True, text=True, timeout=900, check=False)
        if done.returncode:
            print(variant, "failed:", done.stderr[-2000:], file=sys.stderr)
            continue
        print(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main(sys.argv[1:])
