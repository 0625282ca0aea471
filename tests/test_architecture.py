"""DESIGN.md's dependency rules, held by a test (an import-linter contract in test form).

`infra` knows no domain package; `keys` imports only `infra`; `signing` imports `infra` and
`keys`; `clients` imports `infra` and otherwise talks to the provider over public HTTP; `idp`
(the application) may import them all. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGES = ("infra", "keys", "signing", "clients", "idp")
ALLOWED = {
    "infra": {"infra"},
    "keys": {"infra", "keys"},
    "signing": {"infra", "keys", "signing"},
    "clients": {"infra", "clients"},
    "idp": set(PACKAGES),
}


def imports_of(package: str, root: Path = REPOSITORY) -> dict[str, set[str]]:
    """Own top-level packages imported by each module of `package`."""
    found: dict[str, set[str]] = {}
    for path in sorted((root / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in PACKAGES:
                    found.setdefault(top, set()).add(str(path.relative_to(root)))
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_packages_import_only_what_the_design_allows(package):
    forbidden = {other: sorted(files) for other, files in imports_of(package).items()
                 if other not in ALLOWED[package]}
    assert forbidden == {}, f"{package} may import only {sorted(ALLOWED[package])}"


def test_the_rule_catches_a_forbidden_import(tmp_path):
    """The check itself can fail: a keys module importing idp is reported."""
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "bad.py").write_text("def f():\n    from idp.oidc import provider\n")
    assert imports_of("keys", tmp_path) == {"idp": {"keys/bad.py"}}
