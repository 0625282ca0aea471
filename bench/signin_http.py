"""Passkey sign-in over loopback HTTP: `cedula serve` (1 worker, core 0) and a driver on core 1.

One operation = one whole sign-in on a keep-alive connection: POST
/webauthn/authentication/options, the software authenticator signs the challenge (driver
side, not counted), POST /webauthn/authentication/verify (a new SSO session each time, as a
new browser). `/cpu-s` is sign-ins per second of the server's CPU. The server is the one of
the OIDC comparison (`bench.servers.Cedula`) with the session cap per citizen lifted: one
citizen signing in again and again would otherwise end a session (and queue its back-channel
logout) at every sign-in beyond the cap, which measures the cap, not a sign-in (the `signin`
scenario does the same).
"""

from __future__ import annotations

import json

from bench import harness, http
from bench.harness import Result, Skipped
from bench.servers import CONCURRENCY, Cedula, Unavailable, _result, driving


class _SigningIn(Cedula):
    def overrides(self) -> dict:
        return {**super().overrides(), "session": {"max_per_citizen": 10**6}}


def _journey(side: Cedula):
    headers = {"Host": f"localhost:{side.port}", "Origin": side.issuer,
               "Content-Type": "application/json"}

    def sign_in(connection) -> None:
        connection.request("POST", "/webauthn/authentication/options", body=b"{}", headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise http.LoadError(f"options: {answer.status} {body[:300]!r}")
        assertion = json.dumps(side.key.authenticate(json.loads(body))).encode()
        connection.request("POST", "/webauthn/authentication/verify", body=assertion, headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise http.LoadError(f"verify: {answer.status} {body[:300]!r}")

    return sign_in


def signin_http(seconds: float) -> list[Result | Skipped]:
    """Sign-ins (options + verify) per server CPU-second over HTTP, one worker."""
    group = "http sign-in"
    with driving(prefix="cedula-bench-signin-") as folder:
        cedula = _SigningIn(folder / "embedded-1")
        try:
            cedula.launch()
            journey = _journey(cedula)
            http.run(port=cedula.port, requests=http.ANY, journey=journey,
                     seconds=min(2.0, seconds), concurrency=CONCURRENCY)  # warm-up
            loads = [http.run(port=cedula.port, requests=http.ANY, journey=journey,
                              seconds=seconds, concurrency=CONCURRENCY,
                              server_pid=cedula.process.pid)
                     for _ in range(harness.REPEAT)]
            return [_result(loads, name=f"{group}: cédula serve (1 worker), options + verify",
                            group=group, side="cedula", baseline=False)]
        except Unavailable as exc:
            return [Skipped(f"{group}: cédula serve", group, "cedula", str(exc), baseline=False)]
        finally:
            cedula.stop()
