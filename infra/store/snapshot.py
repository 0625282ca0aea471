"""A snapshot of the in-process store in a file, so a restart keeps citizens signed in.

Only for the embedded default (one process, `MemoryStore`): written atomically (a temporary
file, mode 0600, then rename) on clean shutdown and every few minutes, read once at start.
The file is JSON behind an HMAC-SHA256 tag keyed from the provider's secret, so a tampered,
truncated or foreign snapshot is refused as a whole (logged, never a crash) and the store
starts empty. Entries whose time-to-live has passed are dropped on load.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
from typing import Any

log = logging.getLogger(__name__)

FORMAT = 1
FILE_NAME = "store.snapshot"


def _encode(value: object) -> list[Any] | None:
    if isinstance(value, bytes):
        return ["b", base64.b64encode(value).decode("ascii")]
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, set) and all(isinstance(m, str) for m in value):
        return ["s", sorted(value)]
    return None


def _decode(tagged: list[Any]) -> object:
    tag, data = tagged
    if tag == "b":
        return base64.b64decode(data, validate=True)
    if tag == "i" and isinstance(data, int) and not isinstance(data, bool):
        return data
    if tag == "s" and isinstance(data, list) and all(isinstance(m, str) for m in data):
        return set(data)
    raise ValueError(f"unknown value tag {tag!r}")


def dump(values: dict[str, tuple[object, float]], queues: dict[str, list[tuple[float, int, str]]],
         *, key: bytes, now: float) -> bytes:
    """The signed snapshot of live `values` and `queues`."""
    entries = []
    for name, (value, expires) in values.items():
        encoded = _encode(value)
        if encoded is not None and expires > now:
            entries.append([name, encoded, expires])
    body = json.dumps({"format": FORMAT, "saved": now, "values": entries,
                       "queues": {q: [[at, item] for at, _, item in sorted(heap)] for q, heap in queues.items()}},
                      separators=(",", ":")).encode()
    tag = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    return tag + b"\n" + body


Values = dict[str, tuple[object, float]]
Queued = dict[str, list[tuple[float, str]]]


def load(data: bytes, *, key: bytes, now: float) -> tuple[Values, Queued]:
    """Values still alive and queued items from a snapshot; ValueError when it is not ours or damaged."""
    tag, _, body = data.partition(b"\n")
    expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(tag, expected):
        raise ValueError("the integrity tag does not match (tampered, truncated or another secret)")
    document = json.loads(body)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"unknown snapshot format {document.get('format') if isinstance(document, dict) else None!r}")
    values: dict[str, tuple[object, float]] = {}
    for name, encoded, expires in document["values"]:
        if float(expires) > now:
            values[str(name)] = (_decode(encoded), float(expires))
    queues = {str(q): [(float(at), str(item)) for at, item in items] for q, items in document["queues"].items()}
    return values, queues


class Snapshots:
    """Saves a store to one file periodically and on demand; started by `cedula serve`."""

    def __init__(self, save: Any, *, interval_seconds: float) -> None:
        self._save = save
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None and self._interval > 0:
            self._thread = threading.Thread(target=self._run, name="store-snapshot", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.save_now()

    def save_now(self) -> None:
        try:
            self._save()
        except OSError as exc:
            log.warning("store snapshot not written: %s", exc)

    def stop(self) -> None:
        """Stop the timer and write a last snapshot (clean shutdown)."""
        self._stop.set()
        self.save_now()
