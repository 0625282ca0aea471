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


# One home per concern (issue 15): components are read through typed slots, never by a string
# key; base64url, the RFC 5280 key identifier and the PAdES validation context have one home
# each. Checked on the syntax trees of every module of PACKAGES (migrations excepted).


def _modules(root: Path = REPOSITORY):
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield str(path.relative_to(root)), parse(path)


# base64url by hand: swapping the alphabets' last two characters (`s.replace("-", "+")`, ...).
BY_HAND = "<alphabet swap>"
_ALPHABET_SWAPS = [["-", "+"], ["_", "/"], ["+", "-"], ["/", "_"]]


def _constant(node: ast.expr) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _names_used(tree: ast.Module) -> set[str]:
    """Every name a module reads or imports (`x`, `a.x` and `from a import x` give `x`), and
    every name it calls, as `x()` (`x(...)` and `a.x(...)` give `x()`)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            found.add(f"{called}()")
            if called == "replace" and [_constant(a) for a in node.args[:2]] in _ALPHABET_SWAPS:
                found.add(BY_HAND)
    return found


def _string_keyed(node: ast.AST) -> bool:
    """`x.extensions["key"]`, or `x.extensions.get("key")` (setdefault, pop): a component
    looked up by a string (an X.509 certificate's `extensions.get_extension_for_oid` is not)."""
    if isinstance(node, ast.Subscript):
        return (isinstance(node.value, ast.Attribute) and node.value.attr == "extensions"
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str))
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "setdefault", "pop")
            and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "extensions"
            and bool(node.args) and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str))


def string_keyed_components(root: Path = REPOSITORY) -> list[str]:
    """Places that read or write `app.extensions` by a string key, other than the one registry
    of typed slots, `infra/components.py`."""
    found = []
    for name, tree in _modules(root):
        if name == "infra/components.py":
            continue
        found.extend(f"{name}:{node.lineno}" for node in ast.walk(tree) if _string_keyed(node))
    return found


def test_components_are_read_through_typed_slots_not_string_keys():
    assert string_keyed_components() == [], (
        "declare an infra.components.Slot next to the component and read it with SLOT.of(app)")


def test_the_string_key_check_catches_one(tmp_path):
    (tmp_path / "clients").mkdir()
    (tmp_path / "clients" / "bad.py").write_text(
        "from flask import current_app\n\ndef f():\n    return current_app.extensions['x']\n")
    assert string_keyed_components(tmp_path) == ["clients/bad.py:4"]


# Each concern's one home, and the names that would make a second one.
ONE_HOME = {
    "base64url": ("infra/jose.py", {"urlsafe_b64encode", "urlsafe_b64decode", BY_HAND}),
    "the RFC 5280 key identifier": ("keys/x509.py", {"sha1"}),
    "the PAdES validation context": ("keys/signers.py", {"ValidationContext()"}),
}
# Not a second home: the wallet checks a PID issuer's X.509 chain (no PDF, no own PKI).
ONE_HOME_EXCEPTIONS = {("the PAdES validation context", "idp/wallet/issuer_revocation.py")}


def second_homes(root: Path = REPOSITORY) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, tree in _modules(root):
        used = _names_used(tree)
        for concern, (home, names) in ONE_HOME.items():
            if name != home and used & names and (concern, name) not in ONE_HOME_EXCEPTIONS:
                found.setdefault(concern, []).append(name)
    return found


def test_each_concern_has_one_home():
    assert second_homes() == {}, {concern: f"use {ONE_HOME[concern][0]}" for concern in second_homes()}


def test_the_one_home_check_catches_a_copy(tmp_path):
    (tmp_path / "signing").mkdir()
    (tmp_path / "signing" / "bad.py").write_text(
        "import base64\n\ndef b64url(data):\n    return base64.urlsafe_b64encode(data).rstrip(b'=')\n")
    assert second_homes(tmp_path) == {"base64url": ["signing/bad.py"]}


def test_the_one_home_check_catches_base64url_by_hand(tmp_path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "bad.py").write_text(
        "import base64\n\ndef der(text):\n    return base64.b64decode(text.replace('-', '+').replace('_', '/'))\n")
    assert second_homes(tmp_path) == {"base64url": ["keys/bad.py"]}


# Names the issue found colliding (two classes or modules of one name that mean different
# things): each is defined at most once.
UNIQUE_CLASSES = ("Sealer", "DocumentNotFound", "RegistryError", "InvalidToken", "IssuedDocument", "Signer")
UNIQUE_MODULES = ("revocation.py", "backchannel.py")


def colliding_names(root: Path = REPOSITORY) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, tree in _modules(root):
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in UNIQUE_CLASSES:
                found.setdefault(node.name, []).append(name)
        if Path(name).name in UNIQUE_MODULES:
            found.setdefault(Path(name).name, []).append(name)
    return {key: places for key, places in found.items() if len(places) > 1}


# Still open, in packages being reworked (none now). The test fails when one is renamed, so
# that its entry goes too.
OPEN_COLLISIONS: dict[str, list[str]] = {}


def test_no_colliding_names():
    assert colliding_names() == OPEN_COLLISIONS, "rename the class or module after what it means in its package"


def test_the_collision_check_catches_one(tmp_path):
    for package in ("keys", "signing"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "backchannel.py").write_text("class Signer:\n    pass\n")
    assert colliding_names(tmp_path) == {"Signer": ["keys/backchannel.py", "signing/backchannel.py"],
                                         "backchannel.py": ["keys/backchannel.py", "signing/backchannel.py"]}
