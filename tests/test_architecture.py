"""DESIGN.md's dependency rules, held by a test (an import-linter contract in test form).

`infra` knows no domain package; `keys` imports only `infra`; `signing` imports `infra` and
`keys`; `clients` imports `infra` and otherwise talks to the provider over public HTTP; `idp`
(the application) may import them all. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.imports import absolute_imports
from tests.support.source import parse

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
        for name in absolute_imports(path):
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


# No two modules import each other, directly or around a loop (imports inside functions count:
# a late import hides a cycle, it does not open it). A concept two modules share gets a module
# of its own (`idp.oidc.grants`, `idp.oidc.agency_audience`, `signing.component`). Read
# `provider` from idp.oidc.current and `get_consents` from idp.consent.consents, never from the
# packages (their __init__ wires the views, which import everything).


def module_graph(root: Path = REPOSITORY) -> dict[str, set[str]]:
    """Module -> the modules of PACKAGES it imports (at any depth of its code)."""
    paths: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts.pop()
            paths[".".join(parts)] = path
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        edges = graph.setdefault(module, set())
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names if alias.name in paths)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    edges.add(target if target in paths else base)
        edges.discard(module)
        edges.intersection_update(paths)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles():
    found = [sorted(component) for component in cycles(module_graph())]
    assert found == [], "modules that import each other (directly or around a loop)"


def test_the_cycle_check_catches_a_cycle(tmp_path):
    """The check itself can fail: two modules importing each other, one late, are a cycle."""
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "a.py").write_text("from keys import b\n")
    (tmp_path / "keys" / "b.py").write_text("def f():\n    from keys.a import x\n")
    assert cycles(module_graph(tmp_path)) == [{"keys.a", "keys.b"}]
