"""`make run` picks up where it left off: a citizen signed in before `cedula serve` (embedded
default, in-process store) stops cleanly is still signed in after it starts again."""

from __future__ import annotations

import signal
import subprocess

import pytest

from tests.conftest import Backend
from tests.support.live import CEDULA, ROOT, Citizen, live_server, wait_until_ready


@pytest.mark.parametrize("server_name", ["granian", "gunicorn"])
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_signed_in_citizen_stays_signed_in_across_a_clean_restart(tmp_path, stop, server_name):
    with live_server(Backend("embedded", "", ""), tmp_path, server=server_name) as server:
        citizen = Citizen(server)
        assert citizen.browser.get(server.url("/account"), allow_redirects=False, timeout=30).status_code == 200
        server.process.send_signal(stop)  # the server stops its worker, which writes the last snapshot
        server.process.wait(timeout=30)
        assert (tmp_path / "store.snapshot").exists()
        port = server.base.rsplit(":", 1)[1]
        restarted = subprocess.Popen([*CEDULA, "serve", "--host", "127.0.0.1", "--port", port,
                                      "--server", server_name], env=server.env,
                                     cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server.process = restarted  # live_server stops this one at the end
        wait_until_ready(server.base, restarted)
        again = citizen.browser.get(server.url("/account"), allow_redirects=False, timeout=30)
        assert again.status_code == 200, again.headers.get("Location")
