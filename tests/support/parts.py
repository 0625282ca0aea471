"""Real parts the tests need (PostgreSQL, Redis, Chromium, SoftHSM2, openssl, node, poppler).

Locally a missing part skips the tests that need it, saying why. In CI (CI=true) a missing
part fails those tests: CI must never pass without proving the product works.
"""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

POSTGRES_ADMIN_URL = os.environ.get(
    "CEDULA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_URL = os.environ.get("CEDULA_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def missing(reason: str) -> None:
    """Skip locally, fail in CI."""
    if IN_CI:
        pytest.fail(f"required part missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require_executable(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(f"{name} is not installed ({hint})")
    return path  # type: ignore[return-value]
