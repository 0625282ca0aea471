"""The live-server helpers explain a failure without hanging: the stderr of a server that is
still running (alive, quiet, not ready in time) is read once it has been stopped."""

from __future__ import annotations

import subprocess
import sys

from tests.support.live import ended_output


def test_the_output_of_a_quiet_live_process_is_read_without_hanging():
    quiet = subprocess.Popen([sys.executable, "-c", "import sys, time; sys.stderr.write('starting'); "
                              "sys.stderr.flush(); print('written', flush=True); time.sleep(600)"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert quiet.stdout is not None and quiet.stdout.readline() == b"written\n"
        assert ended_output(quiet).startswith("starting")
        assert quiet.poll() is not None
    finally:
        if quiet.poll() is None:
            quiet.kill()
