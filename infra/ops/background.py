"""A periodic task on a daemon thread of its own, one per process (started with the first
request, so CLI commands start none): the data-sharing log's sealer and the back-channel
logout deliveries. A failing run is logged and tried again; `stop()` keeps later requests
from starting the thread again.

`start_with_first_request(app, task)` registers a task: one before-request hook per app (and
its twin among the direct routes' start hooks, `infra.web.direct_routes`) starts every
registered task with the first request this process serves, then takes itself out of the
app's hooks, so later requests do not pay for it. Threads do not survive `fork()`: a child
process (a server worker forked from a parent that had served requests) re-arms the hook and
starts its own threads with its first request (a `Singleton` under a holder name of its own);
a task that was `stop()`ped stays stopped.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable

from flask import Flask

from infra.components import Slot
from infra.db import is_unavailable
from infra.leases import Lease, Leases, holder_id
from infra.ops import outages
from infra.ops.logging import outside_request
from infra.web import direct_routes

log = logging.getLogger(__name__)


class Periodic:
    """Subclasses set `name` and implement `tick()`; `seconds <= 0` never starts a thread."""

    name = "cedula-periodic"

    def __init__(self, *, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started = False
        self._stopped = False  # by `stop()`: never started again by requests
        self._in_outage = False  # the last run met a database or store outage (logged once)
        _TASKS.add(self)

    def tick(self) -> None:
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            self.started = True
            self._stopped = False
            if self.running or self.seconds <= 0:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()
        with outside_request():  # the first request starts it, but the line is not the request's
            log.info("%s thread started", self.name)

    def stop(self, timeout: float = 30) -> None:
        """Stop the thread after its current run (it is not restarted by later requests)."""
        with self._lock:
            self.started = True
            self._stopped = True
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None:
            thread.join(timeout)

    def _after_fork_in_child(self) -> None:
        """This process has none of its parent's threads: start again with its first request
        (unless stopped). The lock may have been held by another thread at the fork."""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        if not self._stopped:
            self.started = False

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            self.tick_reported()

    def tick_reported(self) -> None:
        """One tick, reported: a database or store outage is one WARNING line (no traceback)
        when it starts and one INFO line when the task runs again, not an ERROR with a traceback
        every `seconds` from every thread of every worker while it lasts; anything else is
        logged with its traceback each time."""
        try:
            self.tick()
        except Exception as exc:  # the loop must outlive a database or store outage
            if not _outage(exc):
                log.exception("%s run failed; trying again", self.name)
                return
            if not self._in_outage:
                self._in_outage = True
                part = "the database" if is_unavailable(exc) else "the ephemeral store"
                log.warning("%s cannot run: %s is unavailable; trying again every %s s, quietly until it runs",
                            self.name, part, self.seconds, extra={"error": str(exc).splitlines()[0] if str(exc) else "",
                                                 "error_type": type(exc).__name__,
                                                 "action": outages.action(exc)})
            return
        if self._in_outage:
            self._in_outage = False
            log.info("%s runs again", self.name)


def _outage(exc: BaseException) -> bool:
    from infra.store.base import StoreError

    return is_unavailable(exc) or isinstance(exc, StoreError)


class Singleton(Periodic):
    """A periodic task that runs on one process of the whole cluster at a time.

    Every process ticks; only the holder of the lease `lease_name` runs `run(lease)`. The
    holder extends its lease on every tick; when it dies, the lease expires after
    `lease_seconds` and the next process to tick takes over (with a larger fencing token).
    """

    def __init__(self, *, seconds: float, leases: Leases, lease_name: str,
                 lease_seconds: float | None = None, holder: str | None = None) -> None:
        super().__init__(seconds=seconds)
        self.leases = leases
        self.lease_name = lease_name
        self.lease_seconds = lease_seconds or max(10.0, 3 * seconds)
        self.holder = holder or holder_id()
        self._named_here = holder is None  # a name made for this process (not a caller's)

    def run(self, lease: Lease) -> None:
        raise NotImplementedError

    def tick(self) -> None:
        lease = self.leases.acquire(self.lease_name, holder=self.holder, seconds=self.lease_seconds)
        if lease is not None:
            self.run(lease)

    def _after_fork_in_child(self) -> None:
        """A child is another holder: it never acts under its parent's name (and lease)."""
        super()._after_fork_in_child()
        if self._named_here:
            self.holder = holder_id()

    def stop(self, timeout: float = 30) -> None:
        super().stop(timeout)
        current = self.leases.current(self.lease_name)
        if current is not None and current.holder == self.holder:
            self.leases.release(current)


# Every task and every app's starting hook of this process, for the child of a fork.
_TASKS: weakref.WeakSet[Periodic] = weakref.WeakSet()
_STARTERS: weakref.WeakSet[_Starter] = weakref.WeakSet()


class _Starter:
    """The one before-request hook of an app that starts its tasks, then removes itself."""

    def __init__(self, app: Flask) -> None:
        self.app = weakref.ref(app)
        self.tasks: list[Periodic] = []
        self._lock = threading.Lock()
        self.hook = self._make_hook()
        self.direct_hook = self._make_direct_hook()
        _STARTERS.add(self)

    def _make_hook(self) -> Callable[[], None]:
        def _start_background_tasks() -> None:  # a plain function: `CedulaFlask.ensure_sync` fast path
            self.start()
        return _start_background_tasks

    def _make_direct_hook(self) -> Callable[[direct_routes.Exchange], None]:
        def _start_background_tasks(_asked: direct_routes.Exchange) -> None:  # the same, for direct routes
            self.start()
        return _start_background_tasks

    def arm(self) -> None:
        app = self.app()
        if app is None:
            return
        hooks = app.before_request_funcs.setdefault(None, [])
        if self.hook not in hooks:
            hooks.append(self.hook)
        if self.direct_hook not in direct_routes.routes_of(app).start_hooks:
            direct_routes.on_start(app, self.direct_hook)

    def start(self) -> None:
        with self._lock, outside_request():  # whatever a task logs as it starts is not the request's
            for task in self.tasks:
                if not task.started:
                    task.start()
            app = self.app()
            if app is not None:
                # A new list, not an edit of the one Flask may be iterating in another thread.
                hooks = app.before_request_funcs.get(None, [])
                app.before_request_funcs[None] = [hook for hook in hooks if hook is not self.hook]
                direct_routes.remove_start(app, self.direct_hook)

    def after_fork_in_child(self) -> None:
        self._lock = threading.Lock()
        if any(not task.started for task in self.tasks):
            self.arm()


STARTER: Slot[_Starter] = Slot("background tasks started with the first request")


def start_with_first_request(app: Flask, task: Periodic) -> None:
    """Start `task` with the first request this process serves through `app` (so commands,
    which serve none, start no thread)."""
    if STARTER.installed(app):
        starter = STARTER.of(app)
    else:
        starter = STARTER.install(app, _Starter(app))
        starter.arm()
    starter.tasks.append(task)


def _after_fork_in_child() -> None:
    for task in list(_TASKS):
        task._after_fork_in_child()
    for starter in list(_STARTERS):
        starter.after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)
