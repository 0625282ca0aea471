"""DPoP-bound `/token` and UserInfo over loopback HTTP (RFC 9449), side by side with the same
requests as Bearer on the same server, and with oidc-provider's DPoP (enabled by default in
oidc-provider 9; it asks for no nonce unless configured to, Cédula does by default).

Every request carries a fresh proof (ES256, a new `jti`), signed by the driver outside the
server's CPU time. A `use_dpop_nonce` answer (RFC 9449 section 8) is retried once with the
nonce from its `DPoP-Nonce` header, and the newest nonce is kept for the following proofs, as a
client would; the retries are server work and are counted in the server's CPU time, not as
operations.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator

from bench import harness, http
from bench.harness import Result, Skipped
from bench.servers import (
    CONCURRENCY,
    RESOURCE,
    Cedula,
    OidcProvider,
    Side,
    _result,
    _send,
    _token,
    _userinfo,
    driving,
)

GROUPS = ("http dpop token", "http dpop userinfo")


class _Client:
    """The agency's DPoP key and the newest nonce the server gave it (shared by the driver's threads)."""

    def __init__(self) -> None:
        from tests.support.dpop import DpopKey

        self.key = DpopKey()
        self.lock = threading.Lock()

    def send(self, connection, request: http.Request, url: str, *, access_token: str | None = None):
        """`request` with a fresh proof; once more with the server's nonce if it asks for one."""
        for attempt in range(2):
            with self.lock:
                nonce = self.key.nonce
            proof = self.key.proof(request.method, url, access_token=access_token, nonce=nonce)
            answer = _send(connection, http.Request(request.method, request.path, body=request.body,
                                                    headers={**request.headers, "DPoP": proof}))
            fresh = answer.getheader("DPoP-Nonce")
            if fresh:
                with self.lock:
                    self.key.nonce = fresh
            asked = b"use_dpop_nonce" in answer.body or "use_dpop_nonce" in answer.getheader("WWW-Authenticate")
            if not (asked and attempt == 0):
                return answer
        return answer


def _bound_token(side: Side, client: _Client, **params: str) -> str:
    """A DPoP-bound access token for UserInfo (its code exchanged with a proof)."""
    import http.client as httplib

    code, verifier = side.code(side.browser, **params)
    connection = httplib.HTTPConnection(http.LOOPBACK, side.port, timeout=30)
    try:
        answer = client.send(connection, side.token_request(code, verifier), side.issuer + "/token")
    finally:
        connection.close()
    if answer.status != 200:
        raise http.LoadError(f"{side.name} DPoP /token: {answer.status} {answer.body[:300]!r}")
    body = json.loads(answer.body)
    if body.get("token_type", "").lower() != "dpop":
        raise http.LoadError(f"{side.name} issued a {body.get('token_type')} token for a DPoP proof")
    return str(body["access_token"])


def _token_journey(side: Side, client: _Client, codes: Iterator[tuple[str, str]]) -> Callable:
    lock = threading.Lock()

    def journey(connection) -> None:
        with lock:
            code = next(codes, None)
        if code is None:
            raise http.LoadError("the batch of codes ran out before the window ended")
        answer = client.send(connection, side.token_request(*code), side.issuer + "/token")
        if answer.status != 200:
            raise http.LoadError(f"{side.name} DPoP /token: {answer.status} {answer.body[:300]!r}")

    return journey


def _dpop_token(side: Side, seconds: float, **params: str) -> list[http.Load]:
    """As `bench.servers._token` (a pilot run sizes each window's batch of codes), with proofs."""
    client = _Client()
    pilot_codes = side.codes(200, **params)
    pilot = http.run(port=side.port, requests=http.ANY, seconds=30, concurrency=CONCURRENCY,
                     server_pid=side.process.pid, limit=len(pilot_codes),
                     journey=_token_journey(side, client, iter(pilot_codes)))
    wanted = min(20_000, int(pilot.requests / pilot.seconds * seconds * 1.3) + 50)
    loads = []
    for _ in range(harness.REPEAT):
        batch = side.codes(wanted, **params)
        loads.append(http.run(port=side.port, requests=http.ANY, seconds=seconds, concurrency=CONCURRENCY,
                              server_pid=side.process.pid, limit=len(batch),
                              journey=_token_journey(side, client, iter(batch))))
    return loads


def _dpop_userinfo(side: Side, seconds: float, **params: str) -> list[http.Load]:
    client = _Client()
    token = _bound_token(side, client, **params)
    request = http.Request("GET", side.userinfo_path, headers={
        "Host": f"localhost:{side.port}", "Authorization": f"DPoP {token}"})
    url = side.issuer + side.userinfo_path

    def journey(connection) -> None:
        answer = client.send(connection, request, url, access_token=token)
        if answer.status != 200:
            raise http.LoadError(f"{side.name} DPoP UserInfo: {answer.status} {answer.body[:300]!r}")

    http.run(port=side.port, requests=http.ANY, seconds=min(2.0, seconds), concurrency=CONCURRENCY,
             journey=journey)
    return [http.run(port=side.port, requests=http.ANY, seconds=seconds, concurrency=CONCURRENCY,
                     server_pid=side.process.pid, journey=journey) for _ in range(harness.REPEAT)]


def _rows(side: Side, group: str, seconds: float, label: str, *, bearer: bool, baseline: bool,
          **params: str) -> list[Result]:
    """The side's DPoP row of `group` (and its Bearer row on the same server when `bearer`)."""
    dpop = _dpop_token if group.endswith("token") else _dpop_userinfo
    shown = "cédula serve (1 worker)" if isinstance(side, Cedula) else side.name
    rows = [_result(dpop(side, seconds, **params), name=f"{group}: {shown}, DPoP{label}", group=group,
                    side=side.name, baseline=baseline)]
    if bearer:
        loads = _token(side, seconds, **params) if group.endswith("token") else _userinfo(side, seconds)
        rows.append(_result(loads, name=f"{group}: {shown}, Bearer{label}", group=group, side=side.name,
                            baseline=False))
    return rows


def compare(seconds: float) -> list[Result | Skipped]:
    """Cédula (DPoP, then Bearer on the same server), then oidc-provider's DPoP rows."""
    results: list[Result | Skipped] = []
    with driving(prefix="cedula-bench-dpop-") as folder:
        cedula = Cedula(folder / "cedula")
        try:
            cedula.launch()
            for group in GROUPS:
                results.extend(_rows(cedula, group, seconds, "", bearer=True, baseline=False))
        finally:
            cedula.stop()
        missing = OidcProvider.missing()
        if missing:
            results.append(Skipped("http dpop: node oidc-provider", "http dpop token", "oidc-provider",
                                   missing))
            return results
        node = OidcProvider(folder / "node")
        try:
            node.launch()
            results.extend(_rows(node, "http dpop token", seconds, " (JWT access token)", bearer=False,
                                 baseline=True, resource=RESOURCE, scope="openid profile email api:read"))
            results.extend(_rows(node, "http dpop userinfo", seconds, " (opaque access token)",
                                 bearer=False, baseline=True))
        finally:
            node.stop()
    return sorted(results, key=lambda r: GROUPS.index(r.group))  # stable: each side's order kept
