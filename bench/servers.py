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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from bench import http
from bench.harness import Result, Skipped

ROOT = Path(__file__).resolve().parent.parent
NODE_SERVER = ROOT / "bench" / "node" / "oidc_provider_server.mjs"
REDIRECT = "https://portal.example.gov/callback"
CONCURRENCY = 8  # = gunicorn threads per worker (server.threads)
SERVER_CORE, DRIVER_CORE = 0, 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((http.LOOPBACK, 0))
        return sock.getsockname()[1]


def _pinned():
    if len(os.sched_getaffinity(0)) > 1:
        return lambda: os.sched_setaffinity(0, {SERVER_CORE})
    return None


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

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.issuer = f"http://localhost:{self.port}"
        self.process: subprocess.Popen | None = None
        self.browser = requests.Session()
        self.browser.headers["Host"] = f"localhost:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{http.LOOPBACK}:{self.port}{path}"

    def start(self, command: list[str], env: dict[str, str]) -> None:
        log = (self.folder / f"{self.name}.log").open("wb")
        self.process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, stdout=log,
                                        stderr=subprocess.STDOUT, preexec_fn=_pinned())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise http.LoadError(f"{self.name} exited: see {log.name}: "
                                     + Path(log.name).read_text()[-1500:])
            try:
                if requests.get(self.url("/.well-known/openid-configuration"), timeout=10).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise http.LoadError(f"{self.name} did not answer within 60 s")

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


class Cedula(Side):
    name = "cedula"
    authorize_path = "/authorize"
    userinfo_path = "/userinfo"

    def overrides(self) -> dict:
        return {"server": {"issuer": self.issuer, "data_dir": str(self.folder)},
                "database": {"url": f"sqlite:///{self.folder / 'cedula.db'}"},
                "store": {"redis_url": ""}, "logging": {"level": "WARNING"},
                "rate_limit": {"attempts": 10**9, "challenges": 10**9},
                "oidc": {"code_seconds": 600}}

    def launch(self) -> None:
        from tests.support.authenticator import SoftwareAuthenticator

        self.key = SoftwareAuthenticator(origin=self.issuer, rp_id="localhost")
        self._set_up_in_process()
        config = self.folder / "bench.toml"
        config.write_text("".join(
            f"[{section}]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in values.items())
            for section, values in self.overrides().items()))
        cedula = Path(sys.executable).parent / "cedula"
        self.start([str(cedula), "serve", "--workers", "1", "--host", http.LOOPBACK,
                    "--port", str(self.port)], {"CEDULA_CONFIG": str(config)})
        self._sign_in()

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
        app = create_app(self.overrides())
        service = get_service(app)
        service.custody.initialise()
        service.keyring.bootstrap(service.now())
        with get_db(app).transaction() as session:
            registration = register_client(
                session, metadata={"client_name": "Bench", "redirect_uris": [REDIRECT],
                                   "token_endpoint_auth_method": "client_secret_basic",
                                   "id_token_signed_response_alg": "ES256"},
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

    @staticmethod
    def missing() -> str | None:
        if shutil.which("node") is None:
            return "node is not installed"
        if not (ROOT / "node_modules" / "oidc-provider").is_dir():
            return "npm package oidc-provider is not installed (run `npm ci`)"
        return None

    def launch(self) -> None:
        self.secret = secrets.token_urlsafe(32)
        self.start(["node", str(NODE_SERVER)], {"PORT": str(self.port), "NODE_ENV": "production",
                                                "BENCH_CLIENT_SECRET": self.secret})
        self.code(self.browser)  # signs in and grants consent once


def _toml(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value).lower() if isinstance(value, bool) else str(value)


def _result(load: http.Load, *, name: str, group: str, side: str, baseline: bool) -> Result:
    cpu = load.server_cpu_seconds
    extra = {"concurrency": CONCURRENCY, "cpu_seconds": round(cpu, 3) if cpu is not None else None,
             "per_cpu_second": round(load.requests / cpu, 1) if cpu else None}
    return Result(name, load.requests, load.seconds, load.latencies_ms, group=group, side=side,
                  baseline=baseline, extra=extra)


def _token(side: Side, seconds: float, **params: str) -> http.Load:
    """A pilot run sizes the batch of codes, so the timed run does not run out of them early."""
    pilot = http.run(port=side.port, requests=[side.token_request(*c) for c in side.codes(200, **params)],
                     seconds=30, concurrency=CONCURRENCY, server_pid=side.process.pid)
    wanted = min(20_000, int(pilot.requests / pilot.seconds * seconds * 1.3) + 50)
    batch = [side.token_request(*c) for c in side.codes(wanted, **params)]
    return http.run(port=side.port, requests=batch, seconds=seconds, concurrency=CONCURRENCY,
                    server_pid=side.process.pid)


def _userinfo(side: Side, seconds: float) -> http.Load:
    request = http.Request("GET", side.userinfo_path, headers={
        "Host": f"localhost:{side.port}", "Authorization": f"Bearer {side.access_token()}"})
    http.run(port=side.port, requests=request, seconds=min(2.0, seconds), concurrency=CONCURRENCY)
    return http.run(port=side.port, requests=request, seconds=seconds, concurrency=CONCURRENCY,
                    server_pid=side.process.pid)


def compare(what: str, seconds: float) -> list[Result | Skipped]:
    """`what` is "token" or "userinfo"; Cédula first, then oidc-provider (or why it is skipped)."""
    group = f"http {what}"
    results: list[Result | Skipped] = []
    affinity = os.sched_getaffinity(0)
    if len(affinity) > 1:
        os.sched_setaffinity(0, {DRIVER_CORE})
    try:
        with tempfile.TemporaryDirectory(prefix="cedula-bench-http-") as folder:
            cedula = Cedula(Path(folder))
            try:
                cedula.launch()
                load = _token(cedula, seconds) if what == "token" else _userinfo(cedula, seconds)
                results.append(_result(load, name=f"{group}: cédula serve (1 worker)", group=group,
                                       side="cedula", baseline=False))
            finally:
                cedula.stop()
            missing = OidcProvider.missing()
            if missing:
                results.append(Skipped(f"{group}: node oidc-provider", group, "oidc-provider", missing))
                return results
            node = OidcProvider(Path(folder))
            try:
                node.launch()
                if what == "token":
                    results.append(_result(_token(node, seconds, resource="urn:bench:api",
                                                  scope="openid profile email api:read"),
                                           name=f"{group}: oidc-provider (JWT access token)",
                                           group=group, side="oidc-provider", baseline=True))
                    results.append(_result(_token(node, seconds),
                                           name=f"{group}: oidc-provider (opaque access token)",
                                           group=group, side="oidc-provider", baseline=False))
                else:
                    results.append(_result(_userinfo(node, seconds),
                                           name=f"{group}: oidc-provider (opaque access token)",
                                           group=group, side="oidc-provider", baseline=True))
            finally:
                node.stop()
    finally:
        os.sched_setaffinity(0, affinity)
    return results
