"""A periodic task on a daemon thread of its own, one per process (started with the first
request, so CLI commands start none): the data-sharing log's sealer and the back-channel
logout deliveries. A failing run is logged and tried again; `stop()` keeps later requests
from starting the thread again.
"""

from __future__ import annotations

import logging
import threading

from infra.leases import Lease, Leases, holder_id

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

    def tick(self) -> None:
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            self.started = True
            if self.running or self.seconds <= 0:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()
        log.info("%s thread started", self.name)

    def stop(self, timeout: float = 30) -> None:
        """Stop the thread after its current run (it is not restarted by later requests)."""
        with self._lock:
            self.started = True
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                self.tick()
            except Exception:  # the loop must outlive a database or store outage
                log.exception("%s run failed; trying again", self.name)


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

    def run(self, lease: Lease) -> None:
        raise NotImplementedError

    def tick(self) -> None:
        lease = self.leases.acquire(self.lease_name, holder=self.holder, seconds=self.lease_seconds)
        if lease is not None:
            self.run(lease)

    def stop(self, timeout: float = 30) -> None:
        super().stop(timeout)
        current = self.leases.current(self.lease_name)
        if current is not None and current.holder == self.holder:
            self.leases.release(current)
