"""An agency's name read with plain SQL (`clients.registry.names`), for `cedula verify`: the
same answer as the ORM's `services.agency_names`, imported without Flask or the ORM."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from clients.registry.metadata import Permissions
from clients.registry.names import agency_name_in_sql
from clients.registry.services import agency_names, register_client, set_enabled
from infra.db import get_db

ROOT = Path(__file__).resolve().parents[3]
NAMED = {"client_name": "Registro Civil", "client_name#en": "Civil Registry",
         "redirect_uris": ["https://registro.example.gov/cb"]}
UNNAMED = {"redirect_uris": ["https://hacienda.example.gov/cb"]}


def _register(app, metadata, *, enabled=True) -> str:
    with get_db(app).transaction() as session:
        client = register_client(session, metadata=metadata, permissions=Permissions(),
                                  fetch_sector=lambda uri: metadata["redirect_uris"]).client
        if not enabled:
            set_enabled(session, client.client_id, enabled=False)
        return client.client_id


def _rows(app):
    def rows(sql, params):
        with get_db(app).engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql), dict(params))]
    return rows


@pytest.mark.parametrize("locale", [None, "es", "en", "en-GB"])
def test_the_plain_sql_reading_is_the_registrys(fresh_app, locale):
    ids = [_register(fresh_app, NAMED), _register(fresh_app, UNNAMED),
           _register(fresh_app, NAMED, enabled=False), "never-registered"]
    with get_db(fresh_app).read() as session:
        expected = agency_names(session, ids, locale)
    assert {i: agency_name_in_sql(_rows(fresh_app), i, locale) for i in ids} == {
        **{i: expected.get(i) for i in ids}, "never-registered": None}
    assert agency_name_in_sql(_rows(fresh_app), ids[0], "en") == "Civil Registry"
    # No name: its redirect URI's host, as on the sign-in pages (not its client id).
    assert agency_name_in_sql(_rows(fresh_app), ids[1], locale) == "hacienda.example.gov"


def _fresh_python(code: str) -> str:
    """What `code` prints in a new interpreter (nothing imported before it)."""
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          check=True, capture_output=True, text=True, timeout=120).stdout.strip()


def test_the_name_rule_imports_without_flask_or_the_orm():
    """`cedula verify` imports it: the package's `__init__` loads nothing until asked."""
    out = _fresh_python("import sys\n"
                        "import clients.registry.names\n"
                        "print(sorted(m for m in ('flask', 'sqlalchemy', 'clients.registry.models',"
                        " 'clients.registry.services') if m in sys.modules))\n")
    assert out == "[]"


def test_the_registry_still_exports_its_names_when_asked():
    import clients.registry as registry
    from clients.registry import Client, find_client
    from clients.registry.models import Client as Model
    from clients.registry.services import find_client as finder

    assert Client is Model and find_client is finder
    assert sorted(registry.__all__) == sorted(set(registry.__all__))
    for name in registry.__all__:
        assert getattr(registry, name) is not None
    with pytest.raises(AttributeError):
        registry.nothing_of_the_kind  # noqa: B018


def test_the_package_localized_is_the_function_even_after_its_module_is_imported():
    """`clients.registry.localized` names a module and the function in it: the package gives
    the function, whichever was imported first."""
    out = _fresh_python("import clients.registry.names\n"
                        "import clients.registry.services\n"
                        "from clients.registry import localized\n"
                        "print(callable(localized), localized({'client_name#en': 'X'}, 'client_name', 'en'))\n")
    assert out == "True X"
