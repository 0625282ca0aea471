"""The lock files are complete on every Python the project supports, not only on the one that made them.

`make lock` runs pip-compile, which resolves for the interpreter it runs on: a dependency that a
locked package needs only on older Pythons is left out. `pyproject.toml` says `>=3.11`, and the
Python 3.11 that Debian 12 ships is 3.11.2: there `import redis` needs `async-timeout`
(`python_full_version < '3.11.3'`), and a lock made on 3.11.7 without it stopped every command
(`make run` included) with ModuleNotFoundError. `pip install --require-hashes` installs only what
the lock names, so the lock itself must name it.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPOSITORY = Path(__file__).resolve().parents[1]
# Interpreters the project supports (`requires-python = ">=3.11"`): the first 3.11, the one Debian 12
# ships, the last 3.11 and the next two minors.
SUPPORTED = ("3.11.0", "3.11.2", "3.11.14", "3.12.0", "3.13.0")
_PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", re.M)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked(lock: str) -> set[str]:
    return {_canonical(name) for name in _PINNED.findall((REPOSITORY / "requirements" / lock).read_text())}


def _environment(version: str) -> dict[str, str]:
    return {"python_full_version": version, "python_version": ".".join(version.split(".")[:2]),
            "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "extra": ""}


def _missing(lock: str, version: str) -> list[str]:
    """What a locked package requires on Python `version` (no extras) that the lock lacks."""
    locked = _locked(lock)
    missing = []
    for name in sorted(locked):
        try:
            wanted = requires(name) or []
        except PackageNotFoundError:
            continue  # not installed here (a platform-specific pin): nothing to read
        for text in wanted:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate(_environment(version)):
                continue
            if _canonical(requirement.name) not in locked:
                missing.append(f"{requirement.name} (for {name}: {text})")
    return missing


@pytest.mark.parametrize("lock", ["main.txt", "test.txt"])
@pytest.mark.parametrize("version", SUPPORTED)
def test_the_lock_holds_what_each_supported_python_needs(lock: str, version: str) -> None:
    assert _missing(lock, version) == [], (
        f"requirements/{lock} lacks what its packages need on Python {version}: declare it in "
        "pyproject.toml without a marker (pip-compile drops what the running Python does not need) "
        "and run pip-compile")


def test_the_check_sees_a_marker_only_older_pythons_meet() -> None:
    """The check reads markers: redis needs async-timeout on 3.11.2, not on 3.13."""
    redis = [Requirement(text) for text in requires("redis") or []]
    timeout = [r for r in redis if _canonical(r.name) == "async-timeout"]
    assert timeout and timeout[0].marker is not None
    assert timeout[0].marker.evaluate(_environment("3.11.2"))
    assert not timeout[0].marker.evaluate(_environment("3.13.0"))
