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
    """`x.extensions[key]`, or `x.extensions.get(key)` (setdefault, pop): a component looked up
    by a key of its own, a string or a name bound to one, beside the typed slots (an X.509
    certificate's `extensions.get_extension_for_oid` is not)."""
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Attribute) and node.value.attr == "extensions"
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "setdefault", "pop")
            and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "extensions"
            and bool(node.args))


# The one place beside the registry: the direct routes' slot value kept under a second key too,
# found in one dict look-up per request (issue 16); the same object as `ROUTES.of(app)`.
STRING_KEYED_EXCEPTIONS = {"infra/web/direct_routes.py"}


def string_keyed_components(root: Path = REPOSITORY) -> list[str]:
    """Places that read or write `app.extensions` by a string key, other than the one registry
    of typed slots, `infra/components.py`."""
    found = []
    for name, tree in _modules(root):
        if name == "infra/components.py" or (root == REPOSITORY and name in STRING_KEYED_EXCEPTIONS):
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
    (tmp_path / "clients" / "named.py").write_text(
        "from flask import current_app\n\nKEY = 'x'\n\n"
        "def f():\n    return current_app.extensions.setdefault(KEY, {})\n")
    assert string_keyed_components(tmp_path) == ["clients/bad.py:4", "clients/named.py:6"]


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


# Within idp, the flows go one way between these packages (issue 15, "Where the flows still
# bend"): the OpenID Provider depends on consent (the standing consent, the release log) and
# provides it the grants through a typed slot (`idp.consent.issued_grants`); assurance applies
# what the civil register matched; the session tells its listeners, it never calls them.
ONE_WAY = {
    "idp.consent": ("idp.oidc",),
    "idp.civil_register": ("idp.assurance",),
    "idp.sessions": ("idp.account", "idp.logout", "idp.webauthn", "idp.oidc"),
}


def _imported_names(path: Path) -> set[str]:
    """Every dotted name a file imports: `from idp import oidc` gives `idp` and `idp.oidc`."""
    names: set[str] = set()
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def backward_imports(root: Path = REPOSITORY) -> dict[str, list[str]]:
    """"lower -> upper": the modules of `lower` that import `upper` (imports inside functions
    and under TYPE_CHECKING count)."""
    found: dict[str, list[str]] = {}
    for lower, uppers in ONE_WAY.items():
        for path in sorted((root / Path(*lower.split("."))).rglob("*.py")):
            names = _imported_names(path)
            for upper in uppers:
                if any(name == upper or name.startswith(upper + ".") for name in names):
                    found.setdefault(f"{lower} -> {upper}", []).append(str(path.relative_to(root)))
    return found


def test_idp_packages_depend_one_way():
    assert backward_imports() == {}, "pass what the lower package needs in, or install it in a typed slot"


def test_the_one_way_check_catches_a_late_import(tmp_path):
    (tmp_path / "idp" / "consent").mkdir(parents=True)
    (tmp_path / "idp" / "consent" / "bad.py").write_text("def f():\n    from idp import oidc\n")
    (tmp_path / "idp" / "consent" / "fine.py").write_text("from idp.oidcish import x\n")
    assert backward_imports(tmp_path) == {"idp.consent -> idp.oidc": ["idp/consent/bad.py"]}


# The sign-in (flow 2: idp.webauthn -> idp.account's history -> idp.sessions -> its listeners)
# passes what it knows in arguments and return values (`start_session(history_recorded=True)`,
# `SessionChange`), never as flags on Flask's `g`. The one attribute there is idp.sessions'
# cache of this request's session, read and written by that module alone.
SIGN_IN_PATH = ("idp/webauthn", "idp/account", "idp/sessions", "idp/assurance",
                "idp/logout/__init__.py", "idp/logout/expiry.py")
G_ALLOWED = {("idp/sessions/__init__.py", "sso_session")}
_G_METHODS = {"get", "pop", "setdefault", "__contains__"}
_G_FUNCTIONS = {"getattr", "setattr", "hasattr", "delattr"}


def _flask_g_uses(tree: ast.Module) -> set[str]:
    """The attributes of `flask.g` a module touches: `g.x`, `g.get("x")` (pop, setdefault),
    `setattr(g, "x", ...)` (getattr, hasattr, delattr); a name held in a module constant is
    read through it; any other name is "?"."""
    local = {alias.asname or alias.name for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module == "flask"
             for alias in node.names if alias.name == "g"}
    constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for target in node.targets if isinstance(target, ast.Name)}

    def is_g(node: ast.AST) -> bool:
        return ((isinstance(node, ast.Name) and node.id in local)
                or (isinstance(node, ast.Attribute) and node.attr == "g"
                    and isinstance(node.value, ast.Name) and node.value.id == "flask"))

    def named(node: ast.expr | None) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id in constants:
            return str(constants[node.id])
        return "?"

    found: set[str] = set()
    methods: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and is_g(func.value) and func.attr in _G_METHODS:
            methods.add(id(func))
            found.add(named(node.args[0] if node.args else None))
        elif isinstance(func, ast.Name) and func.id in _G_FUNCTIONS and node.args and is_g(node.args[0]):
            found.add(named(node.args[1] if len(node.args) > 1 else None))
    found.update(node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                 and is_g(node.value) and id(node) not in methods)
    return found


def flags_on_g(root: Path = REPOSITORY) -> list[tuple[str, str]]:
    """(module, attribute) of each use of `flask.g` on the sign-in path beyond `G_ALLOWED`."""
    paths: list[Path] = []
    for place in SIGN_IN_PATH:
        where = root / place
        paths.extend(sorted(where.rglob("*.py")) if where.is_dir() else [where] if where.exists() else [])
    found = {(str(path.relative_to(root)), attribute) for path in paths
             for attribute in _flask_g_uses(parse(path))}
    return sorted(found - G_ALLOWED)


def test_the_sign_in_passes_no_flags_on_flask_g():
    assert flags_on_g() == [], "pass it as an argument or a return value"


def test_the_flask_g_check_catches_a_flag(tmp_path):
    """The check itself can fail: the flag the passkey sign-in used to leave for the history's
    session listener (`setattr(g, _RECORDED, ...)`, then `g.pop(_RECORDED)`) is reported."""
    (tmp_path / "idp" / "account").mkdir(parents=True)
    (tmp_path / "idp" / "account" / "bad.py").write_text(
        "import flask\nfrom flask import g\n\n_RECORDED = \"sign_in_recorded\"\n\n\n"
        "def record():\n    setattr(g, _RECORDED, \"c-1\")\n\n\n"
        "def listener():\n    return g.pop(_RECORDED, None) or flask.g.other or g.get(name())\n")
    assert flags_on_g(tmp_path) == [("idp/account/bad.py", "?"), ("idp/account/bad.py", "other"),
                                    ("idp/account/bad.py", "sign_in_recorded")]


# What `signing` reads through the identity provider's `Directory` (`signing.service`): the
# citizen for the command line's filter, and the agencies' names reader verification is handed.
# Making a document (`signing.issuance`, `signing.citizen_signature`) reads nothing through it
# and writes nothing of idp's: its callers read what idp knows, pass it in, and own the
# transaction (`idp.documents.issuing`).
DIRECTORY_READS = {("signing/cli.py", "citizen_by_national_id"),
                   ("signing/verify/service.py", "agency_names")}


def directory_uses(root: Path = REPOSITORY) -> list[tuple[str, str]]:
    """(module, attribute) of each `<...>.directory.<attribute>` in `signing`, `keys` and
    `clients` beyond `DIRECTORY_READS`: a call back into the identity provider."""
    found: set[tuple[str, str]] = set()
    for package in ("signing", "keys", "clients"):
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(parse(path)):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute | ast.Name)
                        and (node.value.attr if isinstance(node.value, ast.Attribute)
                             else node.value.id) == "directory"):
                    found.add((str(path.relative_to(root)), node.attr))
    return sorted(found - DIRECTORY_READS)


def test_signing_calls_the_identity_provider_back_only_to_read():
    assert directory_uses() == [], "read it in idp and pass it in (idp.documents.issuing)"


def test_the_directory_check_catches_a_call_back(tmp_path):
    """The check itself can fail: `issue` asking the directory for the agency's name and
    writing the log entry through it, as it once did, is reported."""
    (tmp_path / "signing").mkdir()
    (tmp_path / "signing" / "issuance.py").write_text(
        "def issue(service, session, directory):\n"
        "    name = service.directory.agency_name('a')\n"
        "    directory.record(session, event='document.issued')\n")
    assert directory_uses(tmp_path) == [("signing/issuance.py", "agency_name"),
                                        ("signing/issuance.py", "record")]


def platform_state_on_g(root: Path = REPOSITORY) -> list[tuple[str, str]]:
    """(module, attribute) of each use, outside `infra`, of an attribute of `flask.g` that
    `infra` keeps (the selected language, the time zone, ...): the platform's per-request
    state is changed through its functions (`infra.web.i18n.use_language`), not set on `g`."""
    modules = [(path, parse(path)) for package in PACKAGES for path in sorted((root / package).rglob("*.py"))
               if "migrations" not in path.parts]
    kept = {attribute for path, tree in modules if path.relative_to(root).parts[0] == "infra"
            for attribute in _flask_g_uses(tree)} - {"?"}
    return sorted((str(path.relative_to(root)), attribute) for path, tree in modules
                  if path.relative_to(root).parts[0] != "infra"
                  for attribute in _flask_g_uses(tree) & kept)


def test_only_the_platform_touches_its_state_on_flask_g():
    assert platform_state_on_g() == [], "call the platform's function (infra.web.i18n.use_language)"


def test_the_platform_state_check_catches_one(tmp_path):
    """The check itself can fail: the sign-out page setting the language the platform's locale
    selector keeps on `g` (`g.lang = ...`), as it once did, is reported."""
    (tmp_path / "infra" / "web").mkdir(parents=True)
    (tmp_path / "infra" / "web" / "i18n.py").write_text(
        "from flask import g\n\n\ndef current_language():\n    return g.lang\n")
    (tmp_path / "idp" / "logout").mkdir(parents=True)
    (tmp_path / "idp" / "logout" / "end_session.py").write_text(
        "from flask import g\n\n\ndef use(candidate):\n    g.lang = candidate\n    g.mine = 1\n")
    assert platform_state_on_g(tmp_path) == [("idp/logout/end_session.py", "lang")]
