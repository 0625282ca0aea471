"""The WSGI server's own cost (issue 16): the same Cédula app, the same UserInfo request (the
row with least work of its own), under `cedula serve --server gunicorn` (gthread, 1 worker x 8
threads), `cedula serve` (granian, WSGI, 1 worker x 8 blocking threads, multi-threaded Rust
runtime) and granian with its single-threaded runtime (`--runtime-mode st`, started from
granian's own command line), each pinned to core 0 and driven from core 1 like the other HTTP
rows."""

from __future__ import annotations

import sys
from pathlib import Path

from bench import http
from bench.harness import Result
from bench.servers import CONCURRENCY, Cedula, _result, _toml, _userinfo, driving


class CedulaOnGranianCommand(Cedula):
    """The same set-up as `Cedula`, served by granian's own command with `options`."""

    def __init__(self, folder: Path, options: list[str]) -> None:
        super().__init__(folder)
        self.options = options

    def launch(self) -> None:
        from tests.support.authenticator import SoftwareAuthenticator

        self.key = SoftwareAuthenticator(origin=self.issuer, rp_id="localhost")
        self._set_up_in_process()
        config = self.folder / "bench.toml"
        config.write_text("".join(
            f"[{section}]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in values.items())
            for section, values in self.overrides().items()))
        self.start([sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "1",
                    "--blocking-threads", str(CONCURRENCY), "--host", http.LOOPBACK, "--port", str(self.port),
                    "--no-ws", "--log-level", "warning", *self.options, "--factory", "idp.app:create_app"],
                   {"CEDULA_CONFIG": str(config)})
        self._sign_in()
        self.code(self.browser)


def compare(seconds: float) -> list[Result]:
    group = "wsgi server (userinfo)"
    results: list[Result] = []
    with driving(prefix="cedula-bench-wsgi-") as folder:
        sides: list[tuple[str, Cedula, bool]] = [
            ("gunicorn gthread 1x8 (cedula serve --server gunicorn)",
             Cedula(folder / "gunicorn", server="gunicorn"), True),
            ("granian 1x8, runtime mt (cedula serve)", Cedula(folder / "granian", server="granian"), False),
            ("granian 1x8, runtime st", CedulaOnGranianCommand(folder / "granian-st",
                                                               ["--runtime-mode", "st"]), False),
        ]
        for label, side, baseline in sides:
            try:
                side.launch()
                results.append(_result(_userinfo(side, seconds), name=f"{group}: {label}", group=group,
                                       side="cedula", baseline=baseline))
            finally:
                side.stop()
    return results
