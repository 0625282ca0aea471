"""One two-node topology for the whole cluster suite (started once, about 10 s), and a small
bounded load to run faults under."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.cluster.journeys import AgencyClient, Citizen, JourneyError, Ledger, Provider
from tests.cluster.topology import Topology, TopologyError
from tests.support.parts import missing, require_executable

_numbers = iter(range(30_000_000, 40_000_000))
_numbers_lock = threading.Lock()


def next_number() -> int:
    with _numbers_lock:
        return next(_numbers)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Topology]:
    for name, hint in (("haproxy", "apt-get install haproxy"), ("redis-server", "apt-get install redis-server")):
        require_executable(name, hint)
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and shutil.which("initdb") is None:
        missing("PostgreSQL server binaries (initdb) are not installed: apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="cedula-cluster-"))
    topology = Topology(folder)
    try:
        topology.start()
    except TopologyError as exc:
        topology.stop()
        pytest.fail(f"the cluster did not start: {exc}", pytrace=False)
    yield topology
    topology.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def topology(cluster) -> Iterator[Topology]:
    """The shared topology, every part running before and after the test."""
    cluster.ensure_running()
    yield cluster
    cluster.ensure_running()


@pytest.fixture
def provider(topology) -> Provider:
    return Provider(topology.url(""), topology.issuer, Ledger())


@dataclass
class Load:
    """`threads` users, each repeating the citizen's and the agency's journeys until stopped
    (at most `seconds` and `rounds` each): sign in, authorize + token + userinfo, refresh,
    issue a document, verify it."""

    provider: Provider
    agency: object
    threads: int = 3
    seconds: float = 60
    rounds: int = 200
    errors: list[JourneyError] = field(default_factory=list)
    completed: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def _user(self) -> None:
        deadline = time.monotonic() + self.seconds
        citizen = Citizen(self.provider, next_number())
        agency = AgencyClient(self.provider, self.agency)
        enrolled = False
        for _ in range(self.rounds):
            if self._stop.is_set() or time.monotonic() > deadline:
                return
            try:
                if not enrolled:
                    citizen.enrol()
                    enrolled = True
                else:
                    citizen.sign_in()
                tokens = citizen.sign_in_to_agency(self.agency)
                citizen.refresh(self.agency, tokens["refresh_token"])
                document = agency.issue(citizen.sub)
                from tests.cluster.journeys import verify

                verify(self.provider, document["csv"])
                with self._lock:
                    self.completed += 1
            except JourneyError as exc:
                with self._lock:
                    self.errors.append(exc)
                self._stop.wait(0.2)

    def start(self) -> Load:
        self._threads = [threading.Thread(target=self._user, daemon=True) for _ in range(self.threads)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)


@pytest.fixture
def load(provider, topology):
    started: list[Load] = []

    def make(**options) -> Load:
        started.append(Load(provider, topology.agency, **options).start())
        return started[-1]

    yield make
    for item in started:
        item.stop()
