"""A real `cedula serve` process on a free loopback port, for tests that need real threads,
real sockets and a real server worker (races, stalls), on either backend.

Each server gets a database of its own (a SQLite file, or a new PostgreSQL database) and, on
the production backend, its own Redis key prefix; `LiveServer.app` is an in-process app on
the same database and data folder, for setting things up (registering clients) without HTTP.
The in-process store is the server's own memory: state that lives in the store (sessions,
codes) is only reachable over HTTP.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from tests.support import ports
from tests.support.pipes import ended_output

ROOT = Path(__file__).resolve().parents[2]
CEDULA = [str(Path(sys.executable).parent / "cedula")] if (Path(sys.executable).parent / "cedula").exists() \
    else [sys.executable, "-m", "idp.cli"]
MASTER_KEY = "Y2VkdWxhLXRlc3QtbWFzdGVyLWtleS0zMi1ieXRlcyE"  # 32 bytes, tests only


def free_port() -> int:
    return ports.free_port("127.0.0.1")


@contextmanager
def database_for(backend_name: str, folder: Path) -> Iterator[str]:
    """A database of its own: a SQLite file in `folder`, or a new PostgreSQL database."""
    if backend_name == "embedded":
        yield f"sqlite:///{folder / 'cedula.db'}"
        return
    from tests.conftest import _postgres_database

    databases = _postgres_database()
    try:
        yield next(databases)
    finally:
        databases.close()


@dataclass
class LiveServer:
    base: str
    env: dict[str, str]
    app: Any
    backend: str
    process: subprocess.Popen = field(repr=False)

    def url(self, path: str) -> str:
        return self.base + path

    def cedula(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([*CEDULA, *args], env=self.env, cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        if ok:
            assert done.returncode == 0, done.stderr + done.stdout
        return done

    def stderr(self) -> str:
        return ended_output(self.process)


READY_SECONDS = 120  # a cap, not a wait: a loaded CI machine has taken over 30 s to start a server


def wait_until_ready(base: str, process: subprocess.Popen, *, output: Callable[[], str] = lambda: "",
                     path: str = "/readyz") -> None:
    """Poll `base` + `path` until it answers 200 (for READY_SECONDS at most); the test fails,
    with what `output` says (the server's stderr), if the server stops or never gets ready."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("cedula serve stopped: " + output())
        try:
            if requests.get(base + path, timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail("cedula serve did not become ready: " + output())


def stop_process(process: subprocess.Popen, *, seconds: float) -> None:
    """Terminate `process`; kill it if it has not stopped after `seconds`."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass(frozen=True)
class Deployment:
    """An embedded deployment in its own data folder, for `cedula serve` on localhost:`port`:
    its database upgraded and its OIDC keys made (`prepared`)."""

    data: Path
    port: int
    env: dict[str, str]

    @property
    def base(self) -> str:
        return f"http://localhost:{self.port}"

    def cedula(self, *args: str) -> str:
        """Run `cedula ARGS` on this deployment; its standard output (it must succeed)."""
        done = subprocess.run([*CEDULA, *args], env=self.env, cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr + done.stdout
        return done.stdout


def prepared(data: Path) -> Deployment:
    """`cedula db upgrade` and `cedula keys init` in `data`, on a free port, logging at WARNING."""
    port = free_port()
    env = {**os.environ, "CEDULA_ISSUER": f"http://localhost:{port}", "CEDULA_DATA_DIR": str(data),
           "CEDULA_DATABASE_URL": "", "CEDULA_REDIS_URL": "", "CEDULA_LOGGING_LEVEL": "WARNING"}
    deployment = Deployment(data=data, port=port, env=env)
    deployment.cedula("db", "upgrade")
    deployment.cedula("keys", "init")
    return deployment


@contextmanager
def serving(env: dict[str, str], port: int, *, base: str, path: str = "/healthz",
            stop_seconds: float = 20) -> Iterator[subprocess.Popen]:
    """`cedula serve` on 127.0.0.1:`port` with `env` (its own data folder, database and
    settings), once `base` + `path` answers 200; stopped after (killed if it has not stopped
    within `stop_seconds`)."""
    process = subprocess.Popen([*CEDULA, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # Not listening yet, or not ready (503 while the worker loads): asked again until it is.
        wait_until_ready(base, process, output=lambda: ended_output(process), path=path)
        yield process
    finally:
        stop_process(process, seconds=stop_seconds)


@contextmanager
def live_server(backend: Any, folder: Path, *, server: str | None = None, own_group: bool = False,
                **environment: str) -> Iterator[LiveServer]:
    """Start `cedula serve` for `backend` (the suite's Backend fixture) with extra env vars, on
    `server` (`--server granian` or `gunicorn`; None: the default); `own_group`: in a process
    group of its own, as a command started from a terminal (which Ctrl-C signals as a whole)."""
    from idp import create_app
    from idp.schema import SCHEMA
    from tests.conftest import settings_for

    with database_for(backend.name, folder) as url:
        port = free_port()
        base = f"http://localhost:{port}"
        prefix = f"cedula-live-{uuid.uuid4().hex[:10]}:"
        env = {**os.environ, "CEDULA_ISSUER": base, "CEDULA_DATA_DIR": str(folder), "CEDULA_DATABASE_URL": url,
               "CEDULA_REDIS_URL": backend.redis_url, "CEDULA_STORE_KEY_PREFIX": prefix,
               "CEDULA_MASTER_KEY": MASTER_KEY, "CEDULA_LOGGING_LEVEL": "WARNING", **environment}
        SCHEMA.upgrade(url)
        overrides = settings_for(backend, folder)
        overrides["server"]["issuer"] = base
        overrides["database"]["url"] = url
        overrides["store"]["key_prefix"] = prefix
        overrides["keys"]["master_key"] = MASTER_KEY
        app = create_app(overrides)
        from keys import get_service

        service = get_service(app)
        service.custody.initialise()
        service.keyring.bootstrap(service.now())
        command = [*CEDULA, "serve", "--host", "127.0.0.1", "--port", str(port),
                   *(["--server", server] if server else [])]
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   start_new_session=own_group)
        server = LiveServer(base=base, env=env, app=app, backend=backend.name, process=process)
        try:
            wait_until_ready(base, process, output=server.stderr)
            yield server
        finally:
            # The server a test may have started in place of the first one is stopped too.
            for running in dict.fromkeys([process, server.process]):
                _stop(running)
            from infra.db import get_db
            from infra.store import get_store

            get_db(app).dispose()
            get_store(app).close()


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM, time for the graceful stop (20 s) and more; then SIGKILL to it and its workers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        _kill(process)
        process.wait(timeout=10)


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL to `process` and its workers (a spawned worker does not die with its parent)."""
    workers = worker_pids(process)
    process.kill()
    for pid in workers:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def worker_pids(process: subprocess.Popen) -> set[int]:
    """The worker processes of a running `cedula serve`: granian's spawned interpreters, or
    gunicorn's forks (not multiprocessing's resource tracker)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{process.pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in command:
                pids.add(int(child))
    return pids


class Citizen:
    """A citizen's browser against a live server: enrolled with a software passkey."""

    def __init__(self, server: LiveServer, **overrides: Any) -> None:
        from tests.idp.conftest import fields
        from tests.support.authenticator import SoftwareAuthenticator

        self.server = server
        self.browser = requests.Session()
        self.key = SoftwareAuthenticator(origin=server.base, rp_id="localhost")
        options = self.browser.post(server.url("/webauthn/registration/options"), json=fields(**overrides),
                                    timeout=30).json()
        response = self.browser.post(server.url("/webauthn/registration/verify"), json=self.key.register(options),
                                     timeout=30)
        assert response.status_code == 200, response.text
        self.browser.get(server.url("/account/recovery-codes"), timeout=30)

    def authorize(self, url: str, redirect_uri: str) -> dict[str, str]:
        """Follow an authorization request, allow what is asked, return the callback's query."""
        response = self.browser.get(url, allow_redirects=False, timeout=30)
        while response.status_code in (302, 303) and not response.headers["Location"].startswith(redirect_uri):
            response = self.browser.get(urljoin(self.server.base, response.headers["Location"]),
                                        allow_redirects=False, timeout=30)
        if response.status_code == 200:
            html = response.text
            token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
            interaction = re.search(r'name="interaction" value="([^"]+)"', html).group(1)
            response = self.browser.post(
                self.server.url("/authorize/decision"), allow_redirects=False, timeout=30,
                data={"csrf_token": token, "interaction": interaction, "decision": "allow",
                      "claim": re.findall(r'name="claim" value="([^"]+)" checked', html)})
        assert response.status_code in (302, 303), response.text[:500]
        location = response.headers["Location"]
        assert location.startswith(redirect_uri + "?"), location
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
