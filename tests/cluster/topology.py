"""The two-node topology on loopback: own PostgreSQL and Redis, two `cedula serve --workers 2`
nodes, HAProxy in front with health checks on `/readyz`.

Used by tests/cluster (one topology per test session), by `make cluster` for people
(`python -m tests.cluster.topology`) and by the load test (bench/loadtest.py). Every process
is started on a free port and stopped at the end; PostgreSQL and Redis are this topology's own
instances (never the machine's shared ones), so faults can be injected into them.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.support import ports

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
REQUEST_ID = "^[A-Za-z0-9._:-]{1,64}$"
"""A caller's X-Request-Id the balancer passes on (the nodes take any printable one up to 64)."""
CEDULA = Path(sys.executable).parent / "cedula"
AGENCY = "registro-civil"
AGENCY_NAME = "Registro Civil de San Salvador"
REDIRECT = "https://portal.example.gov/callback"
MASTER_KEY = base64.urlsafe_b64encode(b"cedula-cluster-master-key-32byte").rstrip(b"=").decode()
SECRET_KEY = base64.urlsafe_b64encode(b"cedula-cluster-server-secret-32b").rstrip(b"=").decode()


class TopologyError(RuntimeError):
    """A part of the topology could not be started; the message says which and shows its log."""


def free_port() -> int:
    return ports.free_port(LOOPBACK)


def wait_for(what: str, check, *, seconds: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise TopologyError(f"{what} not ready within {seconds:.0f} s\n{tail}")


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_toml(path: Path, sections: dict[str, dict[str, object]]) -> Path:
    path.write_text("".join(f"[{name}]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in values.items()) + "\n"
                            for name, values in sections.items()))
    return path


# PostgreSQL ----------------------------------------------------------------------------------

def _pg_bin(name: str) -> str:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise TopologyError(f"{name} not found: install the PostgreSQL server (apt-get install postgresql)")
    return found


class Postgres:
    """An own PostgreSQL server in a temporary folder (run as the postgres user when root)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.log = folder / "postgres.log"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise TopologyError(f"{' '.join(command[:2])} failed: {done.stdout}{done.stderr}")

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale=C")
        self.start()

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses={LOOPBACK} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=150")
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@{LOOPBACK}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@{LOOPBACK}:{self.port}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


# Redis ---------------------------------------------------------------------------------------

class Redis:
    """An own redis-server; `appendonly` is the production setting (docs/operations.md)."""

    def __init__(self, folder: Path, *, appendonly: bool = True, port: int | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.appendonly = appendonly
        self.extra = extra
        self.process: subprocess.Popen[bytes] | None = None
        self.log = folder / f"redis-{self.port}.log"

    def start(self, *, appendonly: bool | None = None) -> None:
        if appendonly is not None:
            self.appendonly = appendonly
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", LOOPBACK, "--dir", str(self.folder),
             "--dbfilename", f"dump-{self.port}.rdb", "--appendfilename", f"appendonly-{self.port}.aof",
             "--appenddirname", f"aof-{self.port}", "--save", "",
             "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "everysec",
             "--logfile", str(self.log), "--protected-mode", "no", *self.extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(f"redis on port {self.port}", self.ping, seconds=60, log=self.log)

    def client(self):
        import redis

        return redis.Redis(host=LOOPBACK, port=self.port, socket_timeout=10, socket_connect_timeout=10)

    def ping(self) -> bool:
        return bool(self.client().ping())

    def stop(self) -> None:
        """SHUTDOWN: with appendonly the last writes are flushed first, as in a clean restart."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.client().shutdown(nosave=not self.appendonly)
        except Exception:  # redis-py raises ConnectionError once the server is gone
            pass
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"


# nodes and HAProxy ---------------------------------------------------------------------------

class Node:
    """`cedula serve --workers 2` in its own process group (so SIGKILL takes the whole node)."""

    def __init__(self, name: str, folder: Path, config: Path, *, workers: int = 2) -> None:
        self.name = name
        self.port = free_port()
        self.folder = folder
        self.config = config
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.log = folder / f"{name}.log"

    def start(self, *, wait: bool = True) -> None:
        env = {**os.environ, "CEDULA_CONFIG": str(self.config), "CEDULA_SERVER_NODE_NAME": self.name}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(CEDULA), "serve", "--workers", str(self.workers), "--host", LOOPBACK,
                 "--port", str(self.port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        if wait:
            self.wait_ready()

    def wait_ready(self, seconds: float = 90) -> None:
        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise TopologyError(f"{self.name} exited: {self.log.read_text(errors='replace')[-2000:]}")
            return requests.get(self.url("/readyz"), timeout=5).status_code == 200

        wait_for(self.name, ready, seconds=seconds, log=self.log)

    def url(self, path: str) -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once: the machine lost power."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


HAPROXY_503 = """HTTP/1.1 503 Service Unavailable\r
Content-Type: application/json\r
Cache-Control: no-store\r
Retry-After: 5\r
Connection: close\r
\r
{"error":"temporarily_unavailable","error_description":"No server can answer right now. Try again in 5 seconds."}
"""


class HAProxy:
    """Round robin over the nodes that are ready (`/readyz`); when none is (a shared part such
    as Redis or PostgreSQL is down, which fails every node's readiness), over the nodes that
    are running, which answer 503 with Retry-After for what needs the missing part and serve
    the rest. A connection refused (a dead node) is retried on another node."""

    def __init__(self, folder: Path, nodes: list[Node], *, port: int | None = None) -> None:
        self.folder = folder
        self.nodes = nodes
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = folder / "haproxy.log"

    def config(self) -> str:
        errorfile = self.folder / "503.http"
        errorfile.write_text(HAPROXY_503)
        servers = "".join(f"  server {n.name} {LOOPBACK}:{n.port} check\n" for n in self.nodes)
        fallbacks = "".join(f"  server {n.name}-fallback {LOOPBACK}:{n.port} backup\n" for n in self.nodes)
        return f"""global
  maxconn 2000
  log stdout format raw local0

defaults
  mode http
  log global
  option httplog
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-request 10s
  retries 2
  option redispatch 1
  retry-on conn-failure
  option forwardfor
  errorfile 503 {errorfile}

frontend cedula
  bind {LOOPBACK}:{self.port}
  # one request id in the balancer's log, the node's log and the answer: the caller's when it is
  # one the nodes accept, else a new one (docs/operations.md, Load balancer)
  http-request set-header X-Request-Id %[uuid()] unless {{ req.hdr(x-request-id) -m reg {REQUEST_ID} }}
  http-request capture req.hdr(x-request-id) len 64
  default_backend nodes

backend nodes
  balance roundrobin
  option allbackups
  option httpchk
  http-check send meth GET uri /readyz
  http-check expect status 200
  default-server inter 400ms fastinter 200ms downinter 400ms fall 2 rise 2
{servers}{fallbacks}"""

    def start(self) -> None:
        path = self.folder / "haproxy.cfg"
        path.write_text(self.config())
        checked = subprocess.run(["haproxy", "-c", "-q", "-f", str(path)], capture_output=True, text=True)
        if checked.returncode != 0:
            raise TopologyError(f"haproxy configuration refused: {checked.stdout}{checked.stderr}")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(["haproxy", "-db", "-f", str(path)], stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        wait_for("haproxy", lambda: requests.get(self.url("/healthz"), timeout=5).status_code == 200,
                 seconds=60, log=self.log)

    def url(self, path: str) -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# the whole topology --------------------------------------------------------------------------

@dataclass
class Agency:
    client_id: str
    secret: str
    redirect_uri: str = REDIRECT


@dataclass
class Topology:
    folder: Path
    nodes_count: int = 2
    backend: str = "postgresql"  # or "sqlite"
    workers: int = 2
    appendonly: bool = True
    postgres: Postgres | None = None
    redis: Redis | None = None
    nodes: list[Node] = field(default_factory=list)
    haproxy: HAProxy | None = None
    database_url: str = ""
    agency: Agency | None = None
    issuer: str = ""

    def settings(self) -> dict[str, dict[str, object]]:
        return {
            "server": {"issuer": self.issuer, "data_dir": str(self.folder / "data"),
                       "secret_key": SECRET_KEY, "proxy_hops": 1, "threads": 8},
            "database": {"url": self.database_url, "pool_size": 5, "pool_overflow": 5},
            "store": {"redis_url": self.redis.url if self.redis else "", "key_prefix": "cedula-cluster:"},
            "keys": {"master_key": MASTER_KEY},
            "logging": {"level": "INFO"},  # the access log: request ids shared with the balancer
            "rate_limit": {"attempts": 1_000_000, "challenges": 1_000_000},
            "verify": {"attempts": 1_000_000, "lookups": 1_000_000, "failed_lookups": 1_000_000},
        }

    def start(self) -> Topology:
        self.folder.mkdir(parents=True, exist_ok=True)
        proxy_port = free_port()
        self.issuer = f"http://localhost:{proxy_port}"
        if self.backend == "postgresql":
            self.postgres = Postgres(Path(tempfile.mkdtemp(prefix="cedula-cluster-pg-")))
            self.postgres.init()
            self.database_url = self.postgres.create_database("cedula")
        else:
            self.database_url = f"sqlite:///{self.folder / 'data' / 'cedula.db'}"
        if self.nodes_count > 1 or self.workers > 1 or self.backend == "postgresql":
            self.redis = Redis(self.folder / "redis", appendonly=self.appendonly)
            self.redis.start()
        config = write_toml(self.folder / "cluster.toml", self.settings())
        self._prepare()
        self.nodes = [Node(f"node-{chr(ord('a') + i)}", self.folder, config, workers=self.workers)
                      for i in range(self.nodes_count)]
        for node in self.nodes:
            node.start(wait=False)
        for node in self.nodes:
            node.wait_ready()
        self.haproxy = HAProxy(self.folder, self.nodes, port=proxy_port)
        self.haproxy.start()
        return self

    def _prepare(self) -> None:
        """Schema, keys, PKI, the agency's seal certificate and client: once, before the nodes."""
        from datetime import UTC, datetime

        from clients.registry import Permissions
        from clients.registry.services import register_client
        from idp import create_app
        from idp.schema import SCHEMA
        from infra.db import get_db
        from keys import get_service, issue_seal_certificate

        SCHEMA.upgrade(self.database_url)
        app = create_app(self.settings())
        service = get_service(app)
        service.custody.initialise()
        now = datetime.now(UTC)
        service.keyring.bootstrap(now)
        service.pki.init(now)
        issue_seal_certificate(service, client_id=AGENCY, organization_name=AGENCY_NAME,
                               organization_identifier="VATSV-0614-010101-001-1")
        metadata = {"client_name": AGENCY_NAME, "redirect_uris": [REDIRECT],
                    "scope": "openid profile email offline_access documents:issue",
                    "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
                    "token_endpoint_auth_method": "client_secret_basic", "security_profile": "oidc"}
        with get_db(app).transaction() as session:
            registration = register_client(session, metadata=metadata, client_id=AGENCY,
                                           permissions=Permissions(operator=True),
                                           fetch_sector=lambda uri: [REDIRECT])
            self.agency = Agency(AGENCY, str(registration.client_secret))
        get_db(app).dispose()

    def url(self, path: str) -> str:
        assert self.haproxy is not None
        return self.haproxy.url(path)

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def ensure_running(self) -> None:
        """Bring back whatever a fault test left stopped (for the next test)."""
        if self.postgres is not None:
            try:
                self.postgres.start()
            except TopologyError:
                pass  # already running
        if self.redis is not None and (self.redis.process is None or self.redis.process.poll() is not None):
            self.redis.start(appendonly=True)
        for node in self.nodes:
            if not node.alive:
                node.start(wait=False)
        for node in self.nodes:
            node.wait_ready()
        self.wait_balanced()

    def wait_balanced(self, seconds: float = 60) -> None:
        """Until HAProxy sends requests to every node again (its health checks saw them rise)."""
        names = {node.name for node in self.nodes}

        def balanced() -> bool:
            seen = {requests.get(self.url("/healthz"), timeout=30).headers.get("Cedula-Node")
                    for _ in range(2 * len(names))}
            return seen == names

        wait_for("HAProxy balancing over every node", balanced, seconds=seconds,
                 log=self.haproxy.log if self.haproxy else None)

    def stop(self) -> None:
        for part in (self.haproxy, *self.nodes):
            if part is not None:
                part.stop()
        if self.redis is not None:
            self.redis.kill()
        if self.postgres is not None:
            try:
                self.postgres.stop()
            except TopologyError:
                pass
            shutil.rmtree(self.postgres.folder, ignore_errors=True)


@contextmanager
def running(folder: Path, **options: object) -> Iterator[Topology]:
    topology = Topology(folder, **options)  # type: ignore[arg-type]
    try:
        yield topology.start()
    finally:
        topology.stop()


def main() -> None:
    """`make cluster`: start the topology, print its addresses, stop after --minutes or Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--minutes", type=float, default=60, help="stop after this long (default 60)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cedula-cluster-") as folder, running(Path(folder)) as topology:
        print(f"Cédula cluster: {topology.issuer} (HAProxy on {topology.url('/')})")
        for node in topology.nodes:
            print(f"  {node.name}: {node.url('/')}  log {node.log}")
        if topology.postgres:
            print(f"  PostgreSQL: {topology.database_url}")
        if topology.redis:
            print(f"  Redis: {topology.redis.url} (appendonly yes)")
        print(f"  agency client: {topology.agency}")
        print(f"Stops after {args.minutes:g} minutes or Ctrl-C.")
        try:
            time.sleep(args.minutes * 60)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
