"""`make run` from a warm checkout installs nothing: with the stamps newer than the lock files
it goes straight to `cedula demo` (one process, which prepares the database, keys and PKI);
a cold one installs with its output in a log file. Read from `make -n` (nothing runs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(venv: Path, target: str = "run") -> list[str]:
    # Run as a top-level make even under `make test` (MAKELEVEL, MAKEFLAGS): no "Entering
    # directory" lines, no flags of the parent make.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
    result = subprocess.run(["make", "--no-print-directory", "-n", target, f"VENV={venv}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True, env=env)
    return [line for line in result.stdout.splitlines() if line.strip()]


def fake_venv(tmp_path: Path, *stamps: str) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    later = time.time() + 60  # newer than any lock file in the checkout
    for name in stamps:
        (venv / name).touch()
        os.utime(venv / name, (later, later))
    return venv


def test_the_warm_path_runs_the_demo_and_installs_nothing(tmp_path):
    venv = fake_venv(tmp_path, ".run-stamp")
    lines = dry_run(venv)
    assert not [line for line in lines if "pip" in line or "venv" in line.split()[:3] or "npm" in line], lines
    [command] = lines
    assert command.endswith(f"{venv}/bin/cedula demo"), command
    assert "CEDULA_LOGGING_LEVEL=${CEDULA_LOGGING_LEVEL:-WARNING}" in command


def test_a_cold_checkout_installs_with_its_output_in_a_log(tmp_path):
    venv = fake_venv(tmp_path)
    lines = dry_run(venv)
    install = [line for line in lines if "pip" in line]
    assert install and all(f">>{venv}/install.log 2>&1" in line for line in install), install
    assert all(f"tail -n 25 {venv}/install.log" in line for line in install), install
    assert lines[-1].endswith("cedula demo")


def test_a_newer_lock_file_installs_again(tmp_path):
    venv = fake_venv(tmp_path, ".run-stamp")
    os.utime(venv / ".run-stamp", (0, 0))
    assert any("pip" in line for line in dry_run(venv))
