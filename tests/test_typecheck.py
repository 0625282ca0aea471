"""The type checker runs with the tests: a call that no longer matches its callee's signature,
anywhere in infra/, keys/, signing/, idp/ or clients/, fails `make test` as it fails CI.

mypy reads its settings (what is strict, what is not yet) from pyproject.toml and keeps its
cache in .mypy_cache, so a second run checks only what changed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_errors():
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPOSITORY, capture_output=True, text=True,
                         timeout=600, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_catches_a_call_that_no_longer_matches(tmp_path):
    """The check itself can fail: a call that no longer matches a signing function is reported."""
    module = tmp_path / "caller.py"
    module.write_text("from signing.service import new_document_id\n\n\n"
                      "def issue():\n"
                      "    return new_document_id('extra')\n")
    run = subprocess.run([sys.executable, "-m", "mypy", str(module)], cwd=REPOSITORY,
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 1 and 'Too many arguments for "new_document_id"' in run.stdout, run.stdout + run.stderr
