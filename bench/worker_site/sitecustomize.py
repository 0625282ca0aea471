"""Bench only (bench/worker_process.py puts this folder first on the server's PYTHONPATH, so
that every process of `cedula serve` runs it at start): the collector set-up under test and a
count of the collections a worker makes, read from outside without a request.

- `CEDULA_BENCH_WORKER_GC`: comma-separated parts. `t0=N` sets generation 0's threshold at the
  interpreter's start; `freeze` runs `gc.collect(); gc.freeze()` once the worker's app is built
  (wrapping `idp.serve_granian._load`), `unfreeze` undoes a freeze done there (the set-up
  before it); `switch=S` sets `sys.setswitchinterval(S)` (seconds; CPython's default 0.005);
  `default` leaves everything as the product does it.
- `CEDULA_BENCH_WORKER_GC_LOG`: a folder; every 0.2 s each process writes `<pid>.json` there:
  collections by generation, seconds spent in them, objects tracked, the frozen count, RSS.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
import threading
import time

_PARTS = [p for p in os.environ.get("CEDULA_BENCH_WORKER_GC", "").split(",") if p and p != "default"]
_FOLDER = os.environ.get("CEDULA_BENCH_WORKER_GC_LOG", "")

for _part in _PARTS:
    if _part.startswith("t0="):
        gc.set_threshold(int(_part[3:]), *gc.get_threshold()[1:])
    elif _part.startswith("switch="):
        sys.setswitchinterval(float(_part[7:]))

if "freeze" in _PARTS or "unfreeze" in _PARTS:
    import idp.serve_granian as _served

    _loaded = _served._load

    @functools.wraps(_loaded)
    def _load(*args, **kwargs):
        app = _loaded(*args, **kwargs)
        if "unfreeze" in _PARTS:
            gc.unfreeze()
        if "freeze" in _PARTS:
            gc.collect()
            gc.freeze()
        return app

    _served._load = _load

if _FOLDER:
    _counts = [0, 0, 0]
    _spent = [0.0]
    _started: list[float] = []

    def _callback(phase: str, info: dict) -> None:
        if phase == "start":
            _started.append(time.perf_counter())
        elif _started:
            _spent[0] += time.perf_counter() - _started.pop()
            _counts[info["generation"]] += 1

    gc.callbacks.append(_callback)

    def _write() -> None:
        path = os.path.join(_FOLDER, f"{os.getpid()}.json")
        while True:
            time.sleep(0.2)
            with open("/proc/self/statm") as fh:
                rss = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            state = {"collections": list(_counts), "seconds": _spent[0], "frozen": gc.get_freeze_count(),
                     "threshold": list(gc.get_threshold()), "rss_mb": round(rss / 2**20, 1),
                     "threads": threading.active_count(), "switch": sys.getswitchinterval()}
            with open(path + ".tmp", "w") as fh:
                json.dump(state, fh)
            os.replace(path + ".tmp", path)

    threading.Thread(target=_write, name="bench-gc-log", daemon=True).start()
