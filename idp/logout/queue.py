"""The back-channel logout queue in the ephemeral store, and the thread that works it.

Each item is a record (`logout:item:<id>`, JSON) plus an entry on the delayed queue
`logout:queue` (the store's `schedule`/`due`, which hands each due entry to one process).
Leasing an item schedules its next attempt *before* the attempt runs, so an item whose process
dies mid-attempt is retried later; finishing or giving up deletes the record, and the entry
left on the queue then finds nothing to do. Retries back off exponentially
(`[logout] retry_seconds` doubling up to `retry_max_seconds`) and stop after `max_attempts`.

The work never runs in a citizen's request: requests only `put` (two store writes). A daemon
thread per process (gunicorn worker) polls every `poll_seconds`; `cedula logout deliver`
does the same from the command line.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Flask

from idp.logout.settings import LogoutSettings
from infra.ops.background import Periodic
from infra.store import EphemeralStore

log = logging.getLogger(__name__)

QUEUE = "logout:queue"
RECORD = "logout:item:"
BATCH = 100
# Expanding a session into deliveries makes those due at once: look again a few times per run.
PASSES = 4


@dataclass(frozen=True)
class Item:
    """One leased piece of work: `kind` names its handler, `attempt` counts from 1."""

    id: str
    kind: str
    payload: Mapping[str, Any]
    attempt: int
    created: float


class Queue:
    """Items with retries in an `EphemeralStore` (memory or Redis)."""

    def __init__(self, store: EphemeralStore, settings: LogoutSettings) -> None:
        self.store = store
        self.settings = settings
        # A record outlives every retry of its item, with an hour to spare.
        self.ttl = sum(settings.retry_delay(n) for n in range(1, settings.max_attempts + 1)) + 3600

    def put(self, kind: str, payload: Mapping[str, Any], *, now: float) -> str:
        item_id = secrets.token_urlsafe(16)
        record = {"kind": kind, "payload": dict(payload), "attempts": 0, "created": now}
        self.store.set(RECORD + item_id, json.dumps(record).encode(), self.ttl)
        self.store.schedule(QUEUE, item_id, now)
        return item_id

    def lease(self, *, now: float, limit: int = BATCH) -> list[Item]:
        """Take the due items; each one's next attempt is already scheduled when it is returned."""
        items = []
        for item_id in self.store.due(QUEUE, now, limit):
            raw = self.store.get(RECORD + item_id)
            if raw is None:  # finished or given up: a leftover entry
                continue
            record = json.loads(raw)
            attempt = int(record["attempts"]) + 1
            record["attempts"] = attempt
            self.store.set(RECORD + item_id, json.dumps(record).encode(), self.ttl)
            self.store.schedule(QUEUE, item_id, now + self.settings.retry_delay(attempt))
            items.append(Item(item_id, record["kind"], record["payload"], attempt,
                              float(record.get("created", now))))
        return items

    def finish(self, item: Item) -> None:
        self.store.delete(RECORD + item.id)

    def failed(self, item: Item) -> bool:
        """Record a failed attempt; True when it was the last one (the item is dropped)."""
        if item.attempt >= self.settings.max_attempts:
            self.store.delete(RECORD + item.id)
            return True
        return False

    def pending(self, item_id: str) -> dict[str, Any] | None:
        raw = self.store.get(RECORD + item_id)
        return json.loads(raw) if raw is not None else None


# handler(item, queue, now) -> outcome ("delivered", "retry", "gave_up", "expanded", ...)
Handler = Callable[[Item, Queue, float], str]
Chore = Callable[[float], int]


class Worker(Periodic):
    """The delivery loop of one process: chores (session expiry), then due items by kind."""

    name = "cedula-logout"

    def __init__(self, app: Flask, *, queue: Callable[[], Queue], handlers: Mapping[str, Handler],
                 chores: tuple[Chore, ...], settings: LogoutSettings) -> None:
        super().__init__(seconds=settings.poll_seconds)
        self.app = app
        self.queue = queue
        self.handlers = dict(handlers)
        self.chores = chores
        self.settings = settings
        self._pool = ThreadPoolExecutor(max_workers=settings.concurrency,
                                        thread_name_prefix="cedula-logout-delivery")

    def tick(self) -> None:
        self.run_once()

    def run_once(self, *, now: float | None = None) -> Counter[str]:
        """Do everything due by `now` (default: the clock); returns outcomes and their counts."""
        tally: Counter[str] = Counter()
        with self.app.app_context():
            moment = time.time() if now is None else now
            for chore in self.chores:
                tally["expired"] += chore(moment)
            queue = self.queue()
            for _ in range(PASSES):
                items = queue.lease(now=moment)
                if not items:
                    break
                quick = [i for i in items if i.kind != "deliver"]
                slow = [i for i in items if i.kind == "deliver"]
                for item in quick:
                    tally[self._handle(item, queue, moment)] += 1
                for outcome in self._pool.map(lambda i: self._in_context(i, queue, moment), slow):
                    tally[outcome] += 1
        return +tally

    def _in_context(self, item: Item, queue: Queue, now: float) -> str:
        with self.app.app_context():
            return self._handle(item, queue, now)

    def _handle(self, item: Item, queue: Queue, now: float) -> str:
        handler = self.handlers.get(item.kind)
        if handler is None:
            log.error("unknown back-channel logout item dropped", extra={"kind": item.kind})
            queue.finish(item)
            return "dropped"
        try:
            return handler(item, queue, now)
        except Exception:
            gave_up = queue.failed(item)
            log.exception("back-channel logout item failed",
                          extra={"kind": item.kind, "attempt": item.attempt, "gave_up": gave_up})
            return "gave_up" if gave_up else "retry"
