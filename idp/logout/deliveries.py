"""Back-channel logout deliveries on the outbox (infra.outbox): durable, on any node, retried.

An ended session or a withdrawn agency is written to the database's outbox when it happens
(`put`), so it survives a node's death and a Redis restart without persistence. Every node's
`LogoutWorker` claims due messages topic by topic, in this order:

- `logout.session` (an SSO session ended) and `logout.client` (an agency's access withdrawn)
  are expanded into one `logout.deliver` message per agency to tell, in one transaction, with
  keys derived from the expanded message's key (expanding twice puts nothing twice);
- `logout.deliver` signs a fresh logout token and POSTs it; a failed attempt is retried after
  `[logout] retry_seconds`, doubling up to `retry_max_seconds`, `max_attempts` times in all.

A claim that runs out (its node died) is taken over by another node, so an agency may receive a
logout twice, never zero times; ending a session it already ended is harmless to the agency
(Back-Channel Logout 1.0, section 2.8: the RP logs out the sid or sub named).

The work never runs in a citizen's request: requests only `put` (one INSERT). A daemon thread
per process polls every `poll_seconds`; `cedula logout deliver` does the same by hand.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask

from idp.logout.settings import LogoutSettings
from infra.db import get_db
from infra.outbox import Handler, Message, Outbox, OutboxWorker, RetryPolicy

SESSION, CLIENT, DELIVER = "logout.session", "logout.client", "logout.deliver"
TOPICS = (SESSION, CLIENT, DELIVER)

# handler(message, now) -> outcome ("expanded", "delivered", "skipped"); raising retries it.
LogoutHandler = Callable[[Message, float], str]
Chore = Callable[[float], int]


def retry_policy(settings: LogoutSettings) -> RetryPolicy:
    return RetryPolicy(max_attempts=settings.max_attempts, first_seconds=settings.retry_seconds,
                       max_seconds=settings.retry_max_seconds)


def put(app: Flask, topic: str, *, key: str, payload: Mapping[str, Any]) -> bool:
    """Write one message in a transaction of its own (the event itself lives in the store)."""
    with get_db(app).transaction() as session:
        return Outbox.put(session, topic=topic, key=key, payload=payload)


class LogoutWorker(OutboxWorker):
    """The delivery loop of one process: chores (session expiry), then due messages by topic;
    deliveries to agencies run `concurrency` at a time, so a slow agency holds up no one."""

    name = "cedula-logout"

    def __init__(self, app: Flask, *, handlers: Mapping[str, LogoutHandler], chores: tuple[Chore, ...],
                 settings: LogoutSettings) -> None:
        self.app = app
        self.chores = chores
        self.moment = time.time()
        adapted = {topic: self._at_moment(handlers[topic]) for topic in TOPICS}
        super().__init__(Outbox(get_db(app)), adapted, seconds=settings.poll_seconds,
                         policy=retry_policy(settings), batch=100,
                         claim_seconds=max(30.0, 3 * settings.delivery_seconds))
        self._pool = ThreadPoolExecutor(max_workers=settings.concurrency,
                                        thread_name_prefix="cedula-logout-delivery")

    def _at_moment(self, handle: LogoutHandler) -> Handler:
        """The outbox calls a handler with the message; ours also take this round's moment."""
        def handler(message: Message) -> str:
            return handle(message, self.moment)
        return handler

    def tick(self) -> None:
        self.run_once()

    def run_once(self, *, now: float | None = None) -> Counter[str]:
        """Do everything due by `now` (default: the clock); the outcomes and their counts."""
        tally: Counter[str] = Counter()
        with self.app.app_context():
            self.moment = time.time() if now is None else now
            for chore in self.chores:
                tally["expired"] += chore(self.moment)
            tally.update(self.work(now=now))
        return +tally

    def handle_all(self, topic: str, handler: Handler, messages: list[Message], *,
                   now: float | None) -> list[str]:
        if topic != DELIVER:
            return super().handle_all(topic, handler, messages, now=now)

        def in_context(message: Message) -> str:
            with self.app.app_context():
                return self.handle(topic, handler, message, now=now)

        return list(self._pool.map(in_context, messages))
