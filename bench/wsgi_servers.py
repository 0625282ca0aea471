"""The WSGI server's own cost (issue 16): the same Cédula app, the same UserInfo request (the
row with least work of its own), under `cedula serve` (gunicorn gthread, 1 worker x 8 threads)
and under granian (WSGI interface, 1 worker, 8 blocking threads), each pinned to core 0 and
driven from core 1 like the other HTTP rows. granian is not a dependency: the row is skipped
when it is not installed (`pip install granian`)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench import http
from bench.harness import Result, Skipped
from bench.servers import CONCURRENCY, DRIVER_CORE, Cedula, _result, _toml, _userinfo


class CedulaOnGranian(Cedula):
    """The same set-up as `Cedula`, served by granian instead of gunicorn."""

    def launch(self) -> None:
        from tests.support.authenticator import SoftwareAuthenticator

        self.key = SoftwareAuthenticator(origin=self.issuer, rp_id="localhost")
        self._set_up_in_process()
        config = self.folder / "bench.toml"
        config.write_text("".join(
            f"[{section}]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in values.items())
            for section, values in self.overrides().items()))
        granian = shutil.which("granian", path=str(Path(sys.executable).parent)) or "granian"
        self.start([granian, "--interface", "wsgi", "--workers", "1", "--blocking-threads", str(CONCURRENCY),
                    "--host", http.LOOPBACK, "--port", str(self.port), "--no-ws", "--log-level", "warning",
                    "--factory", "idp.app:create_app"], {"CEDULA_CONFIG": str(config)})
        self._sign_in()
        self.code(self.browser)


def compare(seconds: float) -> list[Result | Skipped]:
    group = "wsgi server (userinfo)"
    results: list[Result | Skipped] = []
    affinity = os.sched_getaffinity(0)
    if len(affinity) > 1:
        os.sched_setaffinity(0, {DRIVER_CORE})
    try:
        with tempfile.TemporaryDirectory(prefix="cedula-bench-wsgi-") as folder:
            sides: list[tuple[str, type[Cedula], bool]] = [("gunicorn (cedula serve)", Cedula, True),
                                                           ("granian", CedulaOnGranian, False)]
            for label, kind, baseline in sides:
                if kind is CedulaOnGranian and shutil.which("granian", path=str(Path(sys.executable).parent)) is None:
                    results.append(Skipped(f"{group}: granian", group, "cedula", "granian is not installed",
                                           baseline=False))
                    continue
                side = kind(Path(folder) / label.split()[0])
                try:
                    side.launch()
                    results.append(_result(_userinfo(side, seconds), name=f"{group}: {label}", group=group,
                                           side="cedula", baseline=baseline))
                finally:
                    side.stop()
    finally:
        os.sched_setaffinity(0, affinity)
    return results
