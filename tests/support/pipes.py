"""Bounded reads from a child process's pipes: a peer that stops talking (a node relying party,
say) or a server whose worker outlived it fails the test with what it wrote, instead of
holding the run up for ever."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any

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
        pytest.fail(f"{what}: nothing in {seconds:.0f} s; stderr: {ended_output(process)}")
    if not lines or not lines[0]:
        pytest.fail(f"{what}: the process ended; stderr: {ended_output(process)}")
    return lines[0]


def ended_output(process: subprocess.Popen) -> str:
    """What `process` wrote to its stderr pipe (its stdout without one), once it has ended:
    stopped first if it still runs (it is read to explain a failure), killed if it does not
    stop. Reading the pipe of a live, quiet server would block for ever (a hang seen under load
    in wip/operator4's run: a server not ready in READY_SECONDS, its stderr read while it still
    ran), and so would reading it after the server ended while a worker that outlived it still
    holds it open."""
    pipe = process.stderr if process.stderr is not None else process.stdout
    if pipe is None:
        return ""
    if process.poll() is None:
        process.terminate()
    try:
        return _written(process.communicate(timeout=20))
    except subprocess.TimeoutExpired:
        process.kill()
        _kill_holders(pipe)  # its workers, and whatever outlived it still holding the pipe
    try:
        return _written(process.communicate(timeout=10))
    except subprocess.TimeoutExpired:
        return "(the process's output stayed open after it was killed: nothing more to say)"


def _written(streams: tuple[Any, Any]) -> str:
    written = streams[1] if streams[1] is not None else streams[0]
    return written.decode(errors="replace") if isinstance(written, bytes) else written or ""


def _kill_holders(pipe: Any) -> None:
    """SIGKILL to every process of this machine that holds `pipe` open, other than this one: a
    worker that outlived its server (reparented, so no longer its child) keeps the pipe open."""
    try:
        link = f"pipe:[{os.fstat(pipe.fileno()).st_ino}]"
    except (OSError, ValueError):
        return
    for process_dir in Path("/proc").iterdir():
        if not process_dir.name.isdigit() or int(process_dir.name) == os.getpid():
            continue
        try:
            holds = any(os.readlink(fd) == link for fd in (process_dir / "fd").iterdir())
        except OSError:
            continue
        if holds:
            try:
                os.kill(int(process_dir.name), 9)
            except ProcessLookupError:
                pass
