"""The helpers that read a child's pipes explain a failure without hanging: the stderr of a
server that is still running (alive, quiet, not ready in time) is read once it has been
stopped, and that of one whose worker outlived it once the worker is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.support.pipes import ended_output


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


def test_the_output_of_a_process_whose_child_outlived_it_is_read_without_hanging():
    """The server ends, a worker it started in a session of its own (so no signal to the server
    reaches it) lives on holding the server's stderr: the read waited for ever (stop 35's CI ran
    out of time with a test unfinished); now the worker is killed and what was written is read."""
    script = ("import subprocess, sys; sys.stderr.write('stopping'); sys.stderr.flush(); "
              "print(subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], "
              "start_new_session=True).pid, flush=True)")
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert server.stdout is not None
    orphan = int(server.stdout.readline())
    try:
        assert server.wait(timeout=60) == 0
        assert ended_output(server) == "stopping"
        deadline = time.monotonic() + 30
        while _alive(orphan):
            assert time.monotonic() < deadline, "the worker holding the pipe lives on"
            time.sleep(0.05)
    finally:
        if _alive(orphan):
            os.kill(orphan, 9)


def _alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
