"""`/token` under callgrind: instructions per code exchange, a count that other load on the
machine does not change (the timings of `python -m bench` do, by ±15% on a busy 2-core box).

Run through `bench/callgrind_token.sh`, which starts this (`python -m bench.callgrind_token`)
under `valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes`, switches
instrumentation on once the codes and requests are prepared (this file says so with a file
`<dir>/ready`), and off after the timed part. Each request goes straight through
`app.wsgi_app` with a prebuilt environ (no test client). Only the main thread's count is the
request's own work: the background threads (the data-sharing log's sealer, the deferred
counts) tick per wall-clock second, and under valgrind a second holds a few requests only.
Runs of the same code differ by about 2% (a WAL checkpoint or a garbage collection falls in
the window or not), 3-5% on a loaded machine (the keyring's change check every
`[keys] refresh_seconds` falls in the window more often): compare the medians of three runs.
With `CALLGRIND_STEADY=1` in the environment, for A/B runs of code changes, that check and
garbage collection are kept out of the window: runs of the same code then agree within 0.3%.

A third argument `userinfo` counts one UserInfo request instead (the same bearer token each
time, as the `userinfo` scenario sends it): `bench/callgrind_token.sh 200 userinfo`; `authorize`
counts one `GET /authorize` of the signed-in citizen whose consent stands (a 302 with the code at
once, as `http-authorize` sends it: the browser's cookies, a new state, nonce and PKCE challenge
each time): `bench/callgrind_token.sh 200 authorize`.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

from bench.scenarios import _app, _consented
from bench.wsgi_requests import Prepared, send, token_exchanges, userinfo


def main(count: int, signals: Path, scenario: str = "token") -> None:
    from tests.idp.oidc.conftest import Flow, authorize_url, tokens_for

    # Codes valid 600 s (as in the HTTP comparison): under valgrind on a busy machine the
    # batch made before the measured part took longer than the default 60 s to redeem.
    app = _app(Path(tempfile.mkdtemp()), oidc={"code_seconds": 600})
    browser, agency = _consented(app, 10000002)
    asked_userinfo = userinfo(tokens_for(browser, agency)["access_token"]) if scenario == "userinfo" else {}

    def authorization() -> dict:
        """A GET /authorize with the browser's cookies only (as the HTTP driver sends it)."""
        environ = EnvironBuilder(path=authorize_url(agency, Flow()), method="GET",
                                 base_url="http://localhost").get_environ()
        browser._add_cookies_to_wsgi(environ)
        return environ

    expected = "302" if scenario == "authorize" else "200"

    def requests(n: int) -> Prepared:
        if scenario == "userinfo":
            return [(asked_userinfo, b"")] * n
        if scenario == "authorize":
            return [(authorization(), b"") for _ in range(n)]
        return token_exchanges(browser, agency, n)

    def run(prepared: Prepared) -> None:
        for environ, body in prepared:
            line, headers = send(app, environ, body)
            assert line.startswith(expected), (line, headers)
            assert expected != "302" or "code=" in dict(headers)["Location"], headers

    run(requests(30))  # warm: caches filled, statements compiled
    if os.environ.get("CALLGRIND_STEADY"):
        # A/B of code changes: the work that comes with wall-clock time (the keyring's change
        # check every [keys] refresh_seconds, garbage collections) left out of the window, so
        # that runs of the same code give the same count on a loaded machine, where each
        # request under valgrind takes longer (±3-5% otherwise).
        from keys import get_service

        get_service(app).keyring.refresh = 1e9
        run(requests(5))
    prepared = requests(count)
    if os.environ.get("CALLGRIND_STEADY"):
        gc.collect()
        gc.disable()
    (signals / "ready").touch()
    while not (signals / "go").exists():
        time.sleep(0.05)
    run(prepared)
    (signals / "done").touch()
    while not (signals / "end").exists():
        time.sleep(0.05)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:4])
