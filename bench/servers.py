"""The HTTP comparison: `cedula serve --workers 1` and node oidc-provider, each pinned to core
0 on 127.0.0.1, driven from core 1 by bench/http.py.

Everything a timed request needs is made beforehand: the citizen (enrolled with the software
authenticator), the client, the consent, a signed-in browser session, and then one
authorization code per token request (codes are single use), or one access token for UserInfo.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from bench import harness, http
from bench.harness import Result, Skipped, median_of

ROOT = Path(__file__).resolve().parent.parent
NODE_SERVER = ROOT / "bench" / "node" / "oidc_provider_server.mjs"
REDIRECT = "https://portal.example.gov/callback"
RESOURCE = "urn:bench:api"
EMBEDDED, PRODUCTION = "embedded", "production"
POSTGRES_ADMIN_URL = os.environ.get("CEDULA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CEDULA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
CONCURRENCY = 8  # = threads per worker (server.threads)
# `cedula serve --server ...` of the Cédula rows (granian, the default; or gunicorn).
SERVER = os.environ.get("CEDULA_BENCH_SERVER", "granian")
SERVER_CORE, DRIVER_CORE = 0, 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((http.LOOPBACK, 0))
        return sock.getsockname()[1]


class Unavailable(http.LoadError):
    """A part a configuration needs (PostgreSQL, Redis) cannot be reached."""


def _pinned(cores: set[int] | None = None):
    if len(os.sched_getaffinity(0)) > 1:
        return lambda: os.sched_setaffinity(0, cores or {SERVER_CORE})
    return None


@contextmanager
def driving(*, prefix: str) -> Iterator[Path]:
    """A scratch folder for the servers, while this process, the load driver, runs on
    DRIVER_CORE (where there is more than one core); its affinity comes back after."""
    affinity = os.sched_getaffinity(0)
    if len(affinity) > 1:
        os.sched_setaffinity(0, {DRIVER_CORE})
    try:
        with tempfile.TemporaryDirectory(prefix=prefix) as folder:
            yield Path(folder)
    finally:
        os.sched_setaffinity(0, affinity)


def _s256(verifier: str) -> str:
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


class Side:
    """One provider under test: started, prepared, asked for codes and tokens."""

    name = ""
    authorize_path = ""
    userinfo_path = ""
    client_id = ""
    secret = ""

    gc_stats = False  # GET /__bench/gc answers (oidc-provider with CEDULA_BENCH_NODE_GC=1)

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.issuer = f"http://localhost:{self.port}"
        self.process: subprocess.Popen | None = None
        self.browser = requests.Session()
        self.browser.headers["Host"] = f"localhost:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{http.LOOPBACK}:{self.port}{path}"

    def start(self, command: list[str], env: dict[str, str], cores: set[int] | None = None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / f"{self.name}.log").open("wb")
        self.process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, stdout=log,
                                        stderr=subprocess.STDOUT, preexec_fn=_pinned(cores))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise http.LoadError(f"{self.name} exited: see {log.name}: "
                                     + Path(log.name).read_text()[-1500:])
            try:
                if requests.get(self.url("/.well-known/openid-configuration"), timeout=10).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):
                # A slow first answer (a worker still starting on a busy machine): ask again.
                time.sleep(0.2)
        raise http.LoadError(f"{self.name} did not answer within 60 s")

    def window(self, **load) -> http.Load:
        """One timed window (a subclass may watch its workers: bench/scaling.py)."""
        return http.run(port=self.port, concurrency=CONCURRENCY, server_pid=self.process.pid, **load)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def follow(self, session: requests.Session, response: requests.Response) -> str:
        """Follow redirects inside the provider until one goes back to the agency: the code."""
        for _ in range(10):
            if response.status_code == 200:
                response = self.answer_page(session, response)
                continue
            if response.status_code not in (302, 303):
                raise http.LoadError(f"{self.name} /authorize: {response.status_code} {response.text[:300]}")
            location = response.headers["Location"]
            if location.startswith(REDIRECT):
                query = parse_qs(urlsplit(location).query)
                if "code" not in query:
                    raise http.LoadError(f"{self.name} refused the authorization: {location}")
                return query["code"][0]
            parts = urlsplit(location)
            response = session.get(self.url(parts.path + (f"?{parts.query}" if parts.query else "")),
                                   allow_redirects=False)
        raise http.LoadError(f"{self.name}: too many redirects")

    def answer_page(self, session: requests.Session, response: requests.Response) -> requests.Response:
        raise http.LoadError(f"{self.name} showed a page: {response.text[:300]}")

    def code(self, session: requests.Session, **params: str) -> tuple[str, str]:
        verifier = secrets.token_urlsafe(48)
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": REDIRECT,
                 "scope": "openid profile email", "state": secrets.token_urlsafe(8),
                 "nonce": secrets.token_urlsafe(8), "code_challenge": _s256(verifier),
                 "code_challenge_method": "S256", **params}
        response = session.get(self.url(f"{self.authorize_path}?{urlencode(query)}"), allow_redirects=False)
        return self.follow(session, response), verifier

    def authorize_request(self, **params: str) -> tuple[http.Request, str]:
        """A GET /authorize of the signed-in browser (its cookies), and its PKCE verifier."""
        verifier = secrets.token_urlsafe(48)
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": REDIRECT,
                 "scope": "openid profile email", "state": secrets.token_urlsafe(8),
                 "nonce": secrets.token_urlsafe(8), "code_challenge": _s256(verifier),
                 "code_challenge_method": "S256", **params}
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.browser.cookies)
        return http.Request("GET", f"{self.authorize_path}?{urlencode(query)}", headers={
            "Host": f"localhost:{self.port}", "Cookie": cookies}), verifier

    def direct_code(self) -> None:
        """Check that the signed-in browser gets a code at once (no page, no interaction)."""
        request, _ = self.authorize_request()
        response = requests.get(self.url(request.path), headers=request.headers, allow_redirects=False)
        location = response.headers.get("Location", "")
        if response.status_code not in (302, 303) or not location.startswith(REDIRECT) or "code=" not in location:
            raise http.LoadError(f"{self.name} /authorize did not answer with a code at once: "
                                 f"{response.status_code} {location[:200]} {response.text[:200]}")

    def round_trip(self, connection) -> None:
        """/authorize -> /token -> /userinfo on one keep-alive connection (raises LoadError)."""
        request, verifier = self.authorize_request()
        answer = _send(connection, request)
        location = answer.getheader("Location", "")
        if answer.status not in (302, 303) or "code=" not in location:
            raise http.LoadError(f"{self.name} /authorize: {answer.status} {location[:200]}")
        code = parse_qs(urlsplit(location).query)["code"][0]
        answer = _send(connection, self.token_request(code, verifier))
        if answer.status != 200:
            raise http.LoadError(f"{self.name} /token: {answer.status}")
        import json

        token = json.loads(answer.body)["access_token"]
        answer = _send(connection, http.Request("GET", self.userinfo_path, headers={
            "Host": f"localhost:{self.port}", "Authorization": f"Bearer {token}"}))
        if answer.status != 200:
            raise http.LoadError(f"{self.name} /userinfo: {answer.status} {answer.body[:200]!r}")

    def client_credentials_request(self) -> http.Request:
        body = urlencode({"grant_type": "client_credentials", **self.client_credentials_params}).encode()
        return http.Request("POST", "/token", body=body, headers={
            "Host": f"localhost:{self.port}", "Authorization": _basic(self.client_id, self.secret),
            "Content-Type": "application/x-www-form-urlencoded"})

    client_credentials_params: ClassVar[dict[str, str]] = {}

    def codes(self, count: int, **params: str) -> list[tuple[str, str]]:
        """`count` fresh codes, fetched by four browsers sharing the signed-in session (the first
        one alone, so that a consent these parameters still need is given once)."""
        first = self.code(self.browser, **params)
        count -= 1

        def fetch(share: int) -> list[tuple[str, str]]:
            session = requests.Session()
            session.headers.update(self.browser.headers)
            session.cookies.update(self.browser.cookies)
            return [self.code(session, **params) for _ in range(share)]

        shares = [count // 4 + (1 if i < count % 4 else 0) for i in range(4)]
        with ThreadPoolExecutor(4) as pool:
            return [first, *(code for part in pool.map(fetch, shares) for code in part)]

    def token_request(self, code: str, verifier: str) -> http.Request:
        body = urlencode({"grant_type": "authorization_code", "code": code,
                          "redirect_uri": REDIRECT, "code_verifier": verifier}).encode()
        return http.Request("POST", "/token", body=body, headers={
            "Host": f"localhost:{self.port}", "Authorization": _basic(self.client_id, self.secret),
            "Content-Type": "application/x-www-form-urlencoded"})

    def access_token(self, **params: str) -> str:
        code, verifier = self.code(self.browser, **params)
        request = self.token_request(code, verifier)
        response = requests.post(self.url(request.path), data=request.body, headers=request.headers)
        if response.status_code != 200:
            raise http.LoadError(f"{self.name} /token: {response.status_code} {response.text[:300]}")
        return response.json()["access_token"]


class _Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def getheader(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


def _send(connection, request: http.Request) -> _Answer:
    connection.request(request.method, request.path, body=request.body, headers=request.headers)
    response = connection.getresponse()
    body = response.read()
    return _Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


class Cedula(Side):
    name = "cedula"
    authorize_path = "/authorize"
    userinfo_path = "/userinfo"
    client_credentials_params: ClassVar[dict[str, str]] = {"scope": "documents:issue"}

    def __init__(self, folder: Path, *, backend: str = EMBEDDED, workers: int = 1, server: str = SERVER) -> None:
        super().__init__(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.backend = backend
        self.workers = workers
        self.server = server
        self.database_url = f"sqlite:///{self.folder / 'cedula.db'}"
        self.redis_url = ""
        self.postgres_name: str | None = None

    def overrides(self) -> dict:
        return {"server": {"issuer": self.issuer, "data_dir": str(self.folder)},
                "database": {"url": self.database_url},
                "store": {"redis_url": self.redis_url}, "logging": {"level": "WARNING"},
                "rate_limit": {"attempts": 10**9, "challenges": 10**9},
                "oidc": {"code_seconds": 600}}

    def _production_parts(self) -> None:
        """A database of its own on the PostgreSQL server (dropped at stop) and Redis db 11."""
        import psycopg
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
            admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
        except (redis.RedisError, psycopg.OperationalError) as exc:
            raise Unavailable(f"PostgreSQL or Redis is not reachable: {exc}") from exc
        self.postgres_name = f"cedula_bench_{os.getpid()}_{secrets.token_hex(3)}"
        with admin:
            admin.execute(f'CREATE DATABASE "{self.postgres_name}"')
        self.database_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{self.postgres_name}"
        self.redis_url = REDIS_URL

    def stop(self) -> None:
        super().stop()
        if self.postgres_name is not None:
            import psycopg

            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.postgres_name}" WITH (FORCE)')
            self.postgres_name = None

    def launch(self) -> None:
        from tests.support.authenticator import SoftwareAuthenticator

        self.key = SoftwareAuthenticator(origin=self.issuer, rp_id="localhost")
        if self.backend == PRODUCTION:
            self._production_parts()
        self._set_up_in_process()
        config = self.folder / "bench.toml"
        config.write_text("".join(
            f"[{section}]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in values.items())
            for section, values in self.overrides().items()))
        cedula = Path(sys.executable).parent / "cedula"
        self.start([str(cedula), "serve", "--server", self.server, "--workers", str(self.workers),
                    "--host", http.LOOPBACK, "--port", str(self.port)], {"CEDULA_CONFIG": str(config)},
                   cores=None if self.workers == 1 else {SERVER_CORE, DRIVER_CORE})
        self._sign_in()
        self.code(self.browser)  # consent given once (the decision page), remembered from then on

    def _set_up_in_process(self) -> None:
        """Database, OIDC keys, the agency client and the enrolled citizen (no server yet)."""
        from clients.registry import Permissions
        from clients.registry.services import register_client
        from idp import create_app
        from idp.schema import SCHEMA
        from infra.db import get_db
        from keys import get_service
        from tests.idp.conftest import dui, enrol

        SCHEMA.upgrade(self.overrides()["database"]["url"])
        # No background threads in this set-up app: they would outlive it (and, on PostgreSQL,
        # the database dropped at stop).
        app = create_app({**self.overrides(), "audit": {"seal_seconds": 0}, "logout": {"background": False},
                          "notify": {"background": False}, "documents": {"archive_renew_hours": 0}})
        service = get_service(app)
        service.custody.initialise()
        service.keyring.bootstrap(service.now())
        with get_db(app).transaction() as session:
            registration = register_client(
                session, metadata={"client_name": "Bench", "redirect_uris": [REDIRECT],
                                   "token_endpoint_auth_method": "client_secret_basic",
                                   "id_token_signed_response_alg": "ES256",
                                   "grant_types": ["authorization_code", "client_credentials"],
                                   "scope": "openid profile email documents:issue",
                                   # as oidc-provider's client: OIDC, not the FAPI 2.0 profile
                                   # that a restricted scope otherwise brings
                                   "security_profile": "oidc"},
                permissions=Permissions(operator=True), fetch_sector=lambda uri: [REDIRECT])
            self.client_id = registration.client.client_id
            self.secret = registration.client_secret
        enrol(app.test_client(), self.key, national_id=dui(10000004))
        get_db(app).engine.dispose()

    def _sign_in(self) -> None:
        origin = {"Origin": self.issuer}
        options = self.browser.post(self.url("/webauthn/authentication/options"), json={},
                                    headers=origin)
        response = self.browser.post(self.url("/webauthn/authentication/verify"),
                                     json=self.key.authenticate(options.json()), headers=origin)
        if response.status_code != 200:
            raise http.LoadError(f"cedula sign-in: {response.status_code} {response.text[:300]}")

    def answer_page(self, session, response):
        """The decision page (first authorization only): allow, with the ticked claims."""
        html = response.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        interaction = re.search(r'name="interaction" value="([^"]+)"', html)
        if token is None or interaction is None:
            raise http.LoadError(f"cedula showed an unexpected page: {html[:300]}")
        ticked = re.findall(r'name="claim" value="([^"]+)" checked', html)
        return session.post(self.url("/authorize/decision"), allow_redirects=False,
                            headers={"Origin": self.issuer},
                            data={"csrf_token": token.group(1), "interaction": interaction.group(1),
                                  "decision": "allow", "claim": ticked})


class OidcProvider(Side):
    name = "oidc-provider"
    authorize_path = "/auth"
    userinfo_path = "/me"
    client_id = "bench"
    client_credentials_params: ClassVar[dict[str, str]] = {"resource": RESOURCE, "scope": "api:read"}

    @staticmethod
    def missing() -> str | None:
        if shutil.which("node") is None:
            return "node is not installed"
        if not (ROOT / "node_modules" / "oidc-provider").is_dir():
            return "npm package oidc-provider is not installed (run `npm ci`)"
        return None

    def launch(self) -> None:
        self.secret = secrets.token_urlsafe(32)
        self.gc_stats = os.environ.get("CEDULA_BENCH_NODE_GC") == "1"
        self.start(["node", str(NODE_SERVER)], {"PORT": str(self.port), "NODE_ENV": "production",
                                                "BENCH_CLIENT_SECRET": self.secret,
                                                "BENCH_GC_STATS": "1" if self.gc_stats else "0"})
        self.code(self.browser)  # signs in and grants consent once


def _toml(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value).lower() if isinstance(value, bool) else str(value)


def worker_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of each child process of the server (its workers; multiprocessing's resource
    tracker uses none while serving)."""
    children: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            children.extend(int(child) for child in fh.read().split())
    return {child: http.cpu_seconds(child) for child in children}


def worker_shares(before: dict[int, float], after: dict[int, float]) -> str:
    """How the work was split between the workers: each one's share of their CPU time, largest first."""
    used = sorted((after[pid] - before.get(pid, 0.0) for pid in after), reverse=True)
    total = sum(used)
    return "/".join(f"{100 * part / total:.0f}%" for part in used if part > 0.01 * total) if total else ""


def _result(loads: list[http.Load], *, name: str, group: str, side: str, baseline: bool) -> Result:
    runs = []
    for load in loads:
        cpu = load.server_cpu_seconds
        extra = {"concurrency": CONCURRENCY, "cpu_seconds": round(cpu, 3) if cpu is not None else None,
                 "per_cpu_second": round(load.requests / cpu, 1) if cpu else None}
        if load.server_gc is not None:
            extra["server_gc"] = load.server_gc
        runs.append(Result(name, load.requests, load.seconds, load.latencies_ms, group=group, side=side,
                           baseline=baseline, extra=extra))
    return median_of(runs)


# Each side is measured warm and settled (issue 16: oidc-provider's rate moved ±20-41% between
# the windows of one run, Cédula's ±4%). The first window used to follow a 200-request pilot, too
# short for V8 to have optimized the hot paths (its tiers compile after thousands of calls, on
# threads whose CPU counts in the window), and each /token window followed the making of its
# own batch of codes, whose garbage (interactions, sessions, grants: thousands of objects per
# batch) node's collector then reclaimed inside the timed window, by a major collection or not,
# depending on where its heap limits fell. Now: a warm-up of `WARMUP_SECONDS` at least, every
# timed window's codes made before the first one, an untimed settling window of
# `SETTLE_SECONDS` after the making (or, without codes to make, a pause), then the timed
# windows back to back, the same for both sides. With CEDULA_BENCH_NODE_GC=1 each
# oidc-provider row carries V8's collections per window (`server_gc` of `--json`).
WARMUP_SECONDS = 3.0
SETTLE_SECONDS = 1.0
# Codes live 600 s on both sides: up to this many seconds of timed windows, every batch is made
# before the first window; beyond it, each window's batch just before it (as before).
UPFRONT_SECONDS = 240.0


def _gc_stats(side: Side) -> dict[str, float] | None:
    """oidc-provider's garbage collections so far (`CEDULA_BENCH_NODE_GC=1`), else None."""
    if not side.gc_stats:
        return None
    return requests.get(side.url("/__bench/gc"), timeout=10).json()


def _window(side: Side, **load) -> http.Load:
    """One timed window, with the server's garbage collections in it when it reports them."""
    before = _gc_stats(side)
    result = side.window(**load)
    after = _gc_stats(side)
    if before is not None and after is not None:
        result = replace(result, server_gc={name: round(after[name] - before[name], 1) for name in after})
    return result


def _timed(side: Side, seconds: float, **load) -> list[http.Load]:
    """A warm-up window (untimed: both sides are measured warm), a pause, then `REPEAT` timed ones."""
    http.run(port=side.port, seconds=max(WARMUP_SECONDS, seconds), concurrency=CONCURRENCY, **load)
    time.sleep(SETTLE_SECONDS)
    return [_window(side, seconds=seconds, **load) for _ in range(harness.REPEAT)]


def _token(side: Side, seconds: float, **params: str) -> list[http.Load]:
    """A pilot run sizes the warm-up's batch of codes, the warm-up's rate the timed windows'
    (codes are single use: a batch per window, with a margin so that none runs out early)."""
    pilot = http.run(port=side.port, requests=[side.token_request(*c) for c in side.codes(200, **params)],
                     seconds=30, concurrency=CONCURRENCY, server_pid=side.process.pid)

    def batch(rate: float, window: float) -> list[http.Request]:
        wanted = min(20_000, int(rate * window * 1.3) + 50)
        return [side.token_request(*c) for c in side.codes(wanted, **params)]

    warm_seconds = max(WARMUP_SECONDS, seconds)
    warm = http.run(port=side.port, requests=batch(pilot.requests / pilot.seconds, warm_seconds),
                    seconds=warm_seconds, concurrency=CONCURRENCY)
    rate = warm.requests / warm.seconds
    upfront = seconds * harness.REPEAT <= UPFRONT_SECONDS
    batches = [batch(rate, seconds) for _ in range(harness.REPEAT)] if upfront else []
    loads = []
    for index in range(harness.REPEAT):
        window = batches[index] if upfront else batch(rate, seconds)
        if index == 0 or not upfront:
            # Untimed, after the codes were made: the collections their making left due (a
            # major one on node after a few thousand codes) fall here, not in the window.
            http.run(port=side.port, requests=batch(rate, SETTLE_SECONDS), seconds=SETTLE_SECONDS,
                     concurrency=CONCURRENCY)
        loads.append(_window(side, requests=window, seconds=seconds))
    return loads


def _userinfo(side: Side, seconds: float) -> list[http.Load]:
    request = http.Request("GET", side.userinfo_path, headers={
        "Host": f"localhost:{side.port}", "Authorization": f"Bearer {side.access_token()}"})
    return _timed(side, seconds, requests=request)


def _authorize(side: Side, seconds: float) -> list[http.Load]:
    """A signed-in citizen whose consent stands: each request is answered with the code at once."""
    side.direct_code()
    return _timed(side, seconds, requests=lambda: side.authorize_request()[0], expect=(302, 303))


def _client_credentials(side: Side, seconds: float) -> list[http.Load]:
    return _timed(side, seconds, requests=side.client_credentials_request())


def _roundtrip(side: Side, seconds: float) -> list[http.Load]:
    """One journey = /authorize (signed in, consent standing) -> /token -> /userinfo."""
    side.direct_code()
    return _timed(side, seconds, requests=http.ANY, journey=side.round_trip)


MEASURES = {"token": _token, "userinfo": _userinfo, "authorize": _authorize,
            "client-credentials": _client_credentials, "roundtrip": _roundtrip}
WHAT = tuple(MEASURES)


def _node_rows(node: OidcProvider, what: str, group: str, seconds: float) -> list[Result]:
    """oidc-provider's rows: JWT access tokens (the baseline) where it can issue them for the
    same work as Cédula; opaque ones where its UserInfo needs them."""
    if what == "token":
        return [_result(_token(node, seconds, resource=RESOURCE, scope="openid profile email api:read"),
                        name=f"{group}: oidc-provider (JWT access token)", group=group,
                        side="oidc-provider", baseline=True),
                _result(_token(node, seconds), name=f"{group}: oidc-provider (opaque access token)",
                        group=group, side="oidc-provider", baseline=False)]
    label = {"userinfo": "opaque access token", "authorize": "signed in, grant remembered",
             "client-credentials": "JWT access token", "roundtrip": "opaque access token"}[what]
    return [_result(MEASURES[what](node, seconds), name=f"{group}: oidc-provider ({label})", group=group,
                    side="oidc-provider", baseline=True)]


def compare(what: str, seconds: float, *, backend: str = EMBEDDED, node: bool = True,
            workers: tuple[int, ...] = (1,)) -> list[Result | Skipped]:
    """`what` is one of WHAT; Cédula first (per worker count), then oidc-provider (or why it is
    skipped). Servers run on core 0 (both cores with more than one worker), the driver on core 1."""
    group = f"http {what}" + ("" if backend == EMBEDDED else " (PostgreSQL + Redis)")
    results: list[Result | Skipped] = []
    with driving(prefix="cedula-bench-http-") as folder:
        for count in workers:
            cedula = Cedula(folder / f"{backend}-{count}", backend=backend, workers=count)
            try:
                cedula.launch()
                assert cedula.process is not None
                before = worker_cpu(cedula.process.pid)
                loads = MEASURES[what](cedula, seconds)
                shares = worker_shares(before, worker_cpu(cedula.process.pid))
                result = _result(loads, name=f"{group}: cédula serve {cedula.server} ({count} worker"
                                 f"{'s' if count > 1 else ''})", group=group, side="cedula", baseline=False)
                if count > 1:
                    result.extra["worker_cpu_shares"] = shares
                    print(f"{result.name}: the workers' shares of their CPU time {shares}", file=sys.stderr)
                results.append(result)
            except Unavailable as exc:
                results.append(Skipped(f"{group}: cédula serve", group, "cedula", str(exc), baseline=False))
            finally:
                cedula.stop()
        if not node:
            return results
        missing = OidcProvider.missing()
        if missing:
            results.append(Skipped(f"{group}: node oidc-provider", group, "oidc-provider", missing))
            return results
        baseline = OidcProvider(folder)
        try:
            baseline.launch()
            results.extend(_node_rows(baseline, what, group, seconds))
        finally:
            baseline.stop()
    return results
