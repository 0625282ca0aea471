"""The distribution: every import is declared, and a plain (non-editable) install runs.

An operator installs Cédula with `pip install cedula` (a wheel), not from a checkout: the
defaults, migrations, templates, catalogs and fonts must ship inside the packages, and every
third-party module the code imports must be a declared dependency.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import venv
from importlib.metadata import packages_distributions, requires
from pathlib import Path

import pytest
import requests

from tests.support.imports import absolute_imports
from tests.support.live import stop_process
from tests.support.pipes import ended_output
from tests.support.ports import free_port

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGES = ("infra", "idp", "signing", "keys", "clients")
OWN = {*PACKAGES, "tests", "bench"}


def _third_party_imports(folders: tuple[str, ...]) -> dict[str, set[str]]:
    """Top-level third-party module name -> files importing it (nested imports included)."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in (REPOSITORY / folder).rglob("*.py"):
            for name in absolute_imports(path):
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in OWN or top in {"__future__", "_typeshed"}:
                    continue
                found.setdefault(top, set()).add(str(path.relative_to(REPOSITORY)))
    return found


def _declared(extra: str | None) -> set[str]:
    names = set()
    for requirement in requires("cedula") or []:
        name, _, marker = requirement.partition(";")
        in_extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
        if (in_extra.group(1) if in_extra else None) in {None, extra}:
            names.add(_canonical(re.split(r"[\s\[<>=!~]", name.strip(), maxsplit=1)[0]))
    return names


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _undeclared(folders: tuple[str, ...], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    problems = []
    for module, where in sorted(_third_party_imports(folders).items()):
        owners = {_canonical(d) for d in distributions.get(module, [])}
        if not owners:
            problems.append(f"{module} (imported in {sorted(where)[0]}) is not installed")
        elif not owners & declared:
            problems.append(f"{module} from {sorted(owners)} is imported in {sorted(where)[0]} but not declared")
    return problems


def test_every_import_of_the_product_is_a_declared_dependency():
    assert _undeclared(PACKAGES, _declared(None)) == []


def test_every_import_of_the_tests_and_benchmarks_is_declared():
    declared = _declared(None) | _declared("test") | _declared("dev")
    assert _undeclared(("tests", "bench"), declared) == []


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the locked dependencies and the wheel (not editable)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a copy: building in place would leave build/ in the checkout
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(REPOSITORY / name, source / name)
    for package in PACKAGES:
        shutil.copytree(REPOSITORY / package, source / package, ignore=ignore)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"),
          str(source)])
    wheel = next((work / "dist").glob("cedula-*.whl"))
    target = work / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    # Without the checkout on PYTHONPATH: its cedula.egg-info would make pip take cedula as
    # installed already and skip the wheel.
    clean = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    # From PyPI (or pip's cache): a brief network failure is tried again, as .ci/run does for
    # pip-audit; a real problem (a hash that does not match) fails every try.
    locked = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "--require-hashes", "--no-deps", "-r", str(REPOSITORY / "requirements" / "main.txt")]
    for attempt in (1, 2):
        if subprocess.run(locked, capture_output=True, text=True, timeout=600, env=clean).returncode == 0:
            break
        time.sleep(attempt * 10)
    _run(locked, env=clean)  # a no-op once installed; the last try, whose failure is reported
    _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
          str(wheel)], env=clean)
    _run([str(python), "-m", "pip", "check"], env=clean)
    return target


def test_a_plain_install_migrates_creates_keys_and_serves(installed, tmp_path):
    """`pip install cedula`, then the README's commands, from a folder that is not the checkout."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CEDULA_")}
    port = free_port()
    env.update(CEDULA_DATA_DIR=str(tmp_path / "data"), CEDULA_ISSUER=f"http://127.0.0.1:{port}",
               PYTHONPATH="")
    cedula = str(installed / "bin" / "cedula")
    for command in (["db", "upgrade"], ["keys", "init"], ["pki", "init"]):
        _run([cedula, *command], cwd=tmp_path, env=env)
    server = subprocess.Popen([cedula, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        ready = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
                if ready.status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # still starting (a busy machine)
                pass
            time.sleep(0.3)
        assert ready is not None and ready.status_code == 200, (
            ready.text if ready is not None else ended_output(server))
        assert {name for name, check in ready.json()["checks"].items() if check["status"] == "ok"} >= {
            "database", "store", "keys"}
        page = requests.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert page.status_code == 200 and "<html" in page.text  # templates and catalogs shipped
        assert requests.get(f"http://127.0.0.1:{port}/static/css/cedula.css", timeout=30).status_code == 200
    finally:
        stop_process(server, seconds=30)
    # The source tree was never on the path: what ran came from site-packages.
    site = _run([str(installed / "bin" / "python"), "-c", "import idp; print(idp.__file__)"],
                cwd=tmp_path, env=env).stdout
    assert "site-packages" in site
