"""Bounded reads from a child process's pipe: a peer (a node relying party, say) that stops
talking fails the test with what it wrote to stderr, instead of holding the run up for ever."""

from __future__ import annotations

import subprocess
import threading

import pytest


def line_within(process: subprocess.Popen, seconds: float, what: str) -> str:
    """The next line `process` writes to its stdout pipe, waited for `seconds` at most. The test
    fails if none comes in time (the process is killed) or the pipe ends (the process stopped),
    with what the process wrote to stderr."""
    assert process.stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    if reader.is_alive():
        process.kill()
        pytest.fail(f"{what}: nothing in {seconds:.0f} s; stderr: {stderr_of(process)}")
    if not lines or not lines[0]:
        pytest.fail(f"{what}: the process ended; stderr: {stderr_of(process)}")
    return lines[0]


def stderr_of(process: subprocess.Popen, seconds: float = 20) -> str:
    """What `process` wrote to its stderr pipe once it has ended (killed if it has not in `seconds`)."""
    if process.stderr is None:
        return ""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
    try:
        written = process.communicate(timeout=seconds)[1]
    except subprocess.TimeoutExpired:
        return "(its stderr stayed open)"
    return written.decode(errors="replace") if isinstance(written, bytes) else written or ""
