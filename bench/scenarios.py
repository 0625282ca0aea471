"""The scenarios. `signin`, `token` and `userinfo` are measured in-process through the WSGI app
(one core, no network); `seal` compares Cédula's sealing with plain pyHanko in-process
(bench/seal.py); `http-token` and `http-userinfo` compare Cédula and node oidc-provider over
loopback HTTP (bench/http.py, bench/servers.py).

Only the provider's own work is timed: the software authenticator's signing and the agency's
preparation of each request happen outside the timed part.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.harness import Result, Skipped, measure


def bench_app(data_dir: Path, *, database_url: str, store: dict[str, Any], **sections: dict[str, Any]):
    """The provider as the in-process benchmarks run it: migrated, keys made, no limits that a
    benchmark's thousands of requests from one address would hit (`sections`: more settings)."""
    from idp import create_app
    from idp.schema import SCHEMA
    from keys import get_service

    SCHEMA.upgrade(database_url)
    app = create_app({"server": {"issuer": "http://localhost", "data_dir": str(data_dir)},
                      "database": {"url": database_url}, "store": store,
                      "logging": {"level": "ERROR"}, "metrics": {"enabled": False},
                      "rate_limit": {"attempts": 10**9, "challenges": 10**9},
                      # `signin` signs one citizen in again and again from new browsers: measure
                      # a sign-in, not the ending of the oldest session beyond the cap.
                      "session": {"max_per_citizen": 10**6}, **sections})
    service = get_service(app)
    service.custody.initialise()
    service.keyring.bootstrap(service.now())
    return app


def _app(data_dir: Path, **sections: dict[str, Any]):
    return bench_app(data_dir, database_url=f"sqlite:///{data_dir / 'bench.db'}", store={"redis_url": ""},
                     **sections)


def _agency(app):
    from tests.idp.oidc.conftest import registered_agency

    return registered_agency(app, client_name="Bench")


def _signed_in(app, number: int):
    """A test client in which citizen `dui(number)` enrolled (and so is signed in), and the
    enrolment (its authenticator)."""
    from tests.idp.conftest import dui, enrol

    browser = app.test_client()
    return browser, enrol(browser, national_id=dui(number))


def _consented(app, number: int):
    """`_signed_in`, with an agency to whose first authorization the citizen has agreed."""
    from tests.idp.oidc.conftest import get_code

    browser, _ = _signed_in(app, number)
    agency = _agency(app)
    get_code(browser, agency)  # the first authorization shows the decision page once
    return browser, agency


def _measure_ok(name: str, request: Callable[[], Callable[[], Any]], *, seconds: float) -> Result:
    """`measure` of a request that must succeed: `request()` prepares one (untimed) and returns
    the call to time, whose answer must be a 200 (an error page would be timed otherwise)."""

    def step() -> Callable[[], object]:
        send = request()

        def timed():
            response = send()
            assert response.status_code == 200, response.get_json()

        return timed

    return measure(name, step, seconds=seconds)


def signin(app, seconds: float) -> Result:
    """Passkey sign-in: authentication options + assertion verification (sets the SSO cookie)."""
    from tests.idp.conftest import post_json

    _, enrolled = _signed_in(app, 10000001)

    def request() -> Callable[[], Any]:
        client = app.test_client()
        options = post_json(client, "/webauthn/authentication/options", {}).get_json()
        assertion = enrolled.key.authenticate(options)
        return partial(post_json, client, "/webauthn/authentication/verify", assertion)

    return [_measure_ok("sign-in (verify assertion)", request, seconds=seconds)]


def token(app, seconds: float) -> Result:
    """Token endpoint: authorization code + PKCE + client_secret_basic -> ID and access tokens."""
    from tests.idp.oidc.conftest import exchange, get_code

    browser, agency = _consented(app, 10000002)

    def request() -> Callable[[], Any]:
        code, flow = get_code(browser, agency)
        return partial(exchange, browser, agency, code, flow)

    return [_measure_ok("token (authorization_code)", request, seconds=seconds)]


def authorize(app, seconds: float) -> Result:
    """/authorize of a signed-in citizen whose consent stands: a code at once (302)."""
    from tests.idp.oidc.conftest import Flow, authorize_url

    browser, agency = _consented(app, 10000005)

    def step() -> Callable[[], object]:
        url = authorize_url(agency, Flow())

        def timed():
            response = browser.get(url)
            assert response.status_code == 302 and "code=" in response.headers["Location"], response.status_code

        return timed

    return [measure("authorize (signed in, consent remembered)", step, seconds=seconds)]


def userinfo(app, seconds: float) -> Result:
    """UserInfo with an RFC 9068 access token."""
    from tests.idp.oidc.conftest import bearer, tokens_for

    browser, _ = _signed_in(app, 10000003)
    tokens = tokens_for(browser, _agency(app))
    headers = bearer(tokens["access_token"])

    def request() -> Callable[[], Any]:
        return partial(browser.get, "/userinfo", headers=headers)  # the same request every time

    return [_measure_ok("userinfo", request, seconds=seconds)]


def seal(app, seconds: float) -> list[Result]:
    """Sealing at B-B, B-T, B-LT and B-LTA: Cédula's issue and seal vs plain pyHanko (in-process)."""
    from bench.seal import seal as compare

    return compare(app, seconds)


def verify(app, seconds: float) -> list[Result | Skipped]:
    """Verifying a B-LTA seal: `cedula verify` and in-process vs `pyhanko sign adesverify`."""
    from bench.verify import verify as compare

    return compare(app, seconds)


def _signin_http(app, seconds: float) -> list[Result | Skipped]:
    """Passkey sign-in over loopback HTTP (options + verify), per server CPU-second."""
    from bench.signin_http import signin_http

    return signin_http(seconds)


def _http(what: str, doc: str, **options) -> Callable:
    def scenario(app, seconds: float) -> list[Result | Skipped]:
        from bench.servers import compare

        return compare(what, seconds, **options)

    scenario.__doc__ = doc
    return scenario


def _dpop(app, seconds: float) -> list[Result | Skipped]:
    """DPoP-bound /token and UserInfo (a fresh proof per request) over HTTP, with Bearer on the
    same server, vs oidc-provider's DPoP."""
    from bench.dpop_http import compare

    return compare(seconds)


def _wsgi(app, seconds: float) -> list[Result | Skipped]:
    """UserInfo under gunicorn (cedula serve) and under granian: the WSGI server's own cost."""
    from bench.wsgi_servers import compare

    return compare(seconds)


CAP_WORKERS = 0.25  # `--cap-workers`: of a core, per worker, in `http-production-capped`


def _capped(app, seconds: float) -> list[Result | Skipped]:
    """/token on PostgreSQL + Redis, 1 and 2 workers, each worker capped at `--cap-workers` of a
    core (cgroup v1 CPU quota): whether 2 workers do twice the work of 1 on a 2-core machine."""
    from bench.scaling import compare

    return compare(seconds, cap=CAP_WORKERS)


SCENARIOS: dict[str, Callable] = {
    "signin": signin, "authorize": authorize, "token": token, "userinfo": userinfo, "seal": seal,
    "verify": verify,
    "http-token": _http("token", "Token endpoint (code + PKCE) over loopback HTTP: cédula serve vs "
                        "node oidc-provider, one core each."),
    "http-userinfo": _http("userinfo", "UserInfo over loopback HTTP: cédula serve vs node oidc-provider."),
    "http-authorize": _http("authorize", "/authorize, signed in with consent remembered (a code at once), "
                            "over HTTP, vs node oidc-provider."),
    "http-client-credentials": _http("client-credentials", "Client credentials grant (JWT access token) "
                                     "over HTTP, vs node oidc-provider."),
    "http-roundtrip": _http("roundtrip", "authorize -> token -> userinfo, one journey per operation, "
                            "over HTTP, vs node oidc-provider."),
    "http-wsgi": _wsgi,
    "http-signin": _signin_http,
    "http-dpop": _dpop,
    "http-production": _http("token", "/token on PostgreSQL + Redis, 1 and 2 workers (2 workers use both "
                             "cores, the driver too: read ops/s, not /cpu-s).", backend="production",
                             node=False, workers=(1, 2)),
    "http-production-capped": _capped,
}
IN_PROCESS = ("signin", "authorize", "token", "userinfo", "seal", "verify")


def run(names: list[str], seconds: float) -> list[Result | Skipped]:
    results: list[Result | Skipped] = []
    with tempfile.TemporaryDirectory(prefix="cedula-bench-") as folder:
        app = _app(Path(folder)) if any(n in IN_PROCESS for n in names) else None
        for name in names:
            results.extend(SCENARIOS[name](app, seconds))
    return results


def as_json(results: list[Result | Skipped]) -> str:
    return json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False)
