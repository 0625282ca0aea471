"""Fixtures shared by the whole suite.

Every test that takes `app` or `client` runs twice: on the embedded default (SQLite and the
in-process store) and on the production parts (PostgreSQL and Redis). Each backend gets its
own database, migrated once; every test starts from empty tables and an empty store.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from idp.oidc import provider
from infra.db import get_db
from infra.store import get_store
from keys import get_service
from tests.support.clock import Span
from tests.support.parts import POSTGRES_ADMIN_URL, REDIS_TEST_URL, missing

TEST_ISSUER = "http://localhost"
TEST_MASTER_KEY = "Y2VkdWxhLXRlc3QtbWFzdGVyLWtleS0zMi1ieXRlcyE"  # 32 bytes, tests only


def _shares_a_module_fixture(item) -> bool:
    """Whether `item` uses a fixture set up once per module (a live server, a fresh install, a
    forged sample): on another worker that fixture would be set up again."""
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and any(
        definitions and definitions[-1].scope in ("module", "package")
        for definitions in info.name2fixturedefs.values())


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """`make test` runs the suite on every core (pytest-xdist, `--dist loadgroup`). Tests that
    share something costly to start stay on one worker: the cluster suite its one topology
    (tests/cluster), a browser module its Chromium and live portals, and any other module
    whose tests share a module-scoped fixture (`--dist loadgroup` hands ungrouped tests out one
    by one, and each worker that got one of them set the fixture up again: a live server, a
    SoftHSM2 token, a fresh install, twice per parameter).

    A wrapper: the marks are added before pytest-xdist's worker reads them (in its own
    implementation of this hook), and each group is then written into the test's id, which is
    what xdist schedules by. xdist writes `item._nodeid`, which pytest 9.2 no longer reads (its
    ids are structured, `item._id`): every group was silently spread over the workers, the
    cluster's and each browser module's too (pytest-dev/pytest-xdist#1386, open fix #1388)."""
    shared = {item.nodeid.split("::", 1)[0] for item in items if _shares_a_module_fixture(item)}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        parts = item.nodeid.split("/")
        if parts[:2] == ["tests", "cluster"]:
            item.add_marker(pytest.mark.xdist_group("cluster"))
        elif parts[:2] == ["tests", "browser"] or module in shared:
            item.add_marker(pytest.mark.xdist_group(module))
    result = yield
    if getattr(config.option, "loadgroup", False):  # an xdist worker under --dist loadgroup
        for item in items:
            _name_the_group_in_the_id(item)
    return result


def _name_the_group_in_the_id(item) -> None:
    """`path::test[params]@group`, as pytest-xdist's worker means to write it."""
    names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                    for mark in item.iter_markers("xdist_group")})
    structured = getattr(item, "_id", None)  # pytest >= 9.2; before it, xdist's own write works
    if names and structured is not None and "@" not in item.nodeid:
        item._id = type(structured).parse(f"{item.nodeid}@{'_'.join(names)}")


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str


def _postgres_database() -> Iterator[str]:
    import psycopg

    name = f"cedula_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=30)  # a cap, not a wait
    except psycopg.OperationalError as exc:
        missing(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_available() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=30, socket_timeout=30).ping()
    except redis.RedisError as exc:
        missing(f"Redis is not reachable at {REDIS_TEST_URL}: {exc}")


@pytest.fixture(scope="session", params=["embedded", "production"])
def backend(request, tmp_path_factory) -> Iterator[Backend]:
    if request.param == "embedded":
        path = tmp_path_factory.mktemp("sqlite") / "cedula.db"
        yield Backend("embedded", f"sqlite:///{path}", "")
        return
    _redis_available()
    generator = _postgres_database()
    url = next(generator)
    try:
        yield Backend("production", url, REDIS_TEST_URL)
    finally:
        generator.close()


def settings_for(backend: Backend, data_dir: Path, **sections) -> dict:
    overrides: dict = {
        # /readyz runs the registered checks on every call (tests move clocks between two calls).
        "server": {"issuer": TEST_ISSUER, "data_dir": str(data_dir), "readiness_check_seconds": 0},
        "database": {"url": backend.database_url},
        "store": {"redis_url": backend.redis_url, "key_prefix": f"cedula-test-{uuid.uuid4().hex[:12]}:"},
        "logging": {"level": "WARNING"},
        # Every test app shares its backend's database: one key-encryption key for all of them.
        "keys": {"master_key": TEST_MASTER_KEY},
        # No background threads in test apps: they would race the emptying of the tables between
        # tests (and outlive the test database); tests run the sealer and deliveries themselves.
        "audit": {"seal_seconds": 0},
        "logout": {"background": False},
        "notify": {"background": False},  # tests send queued messages themselves (get_worker)
        "documents": {"archive_renew_hours": 0},
    }
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    return overrides


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory):
    from idp import create_app
    from idp.schema import SCHEMA

    data_dir = tmp_path_factory.mktemp(f"data-{backend.name}")
    SCHEMA.upgrade(backend.database_url)
    application = create_app(settings_for(backend, data_dir))
    application.testing = True
    yield application
    from infra.deferred_counts import flush_all

    flush_all()  # counts still pending are written while the database is there, not at exit
    get_db(application).dispose()
    get_store(application).close()


# Tables whose rows outlive a single test (key material is made once per backend).
PERSISTENT_TABLES: set[str] = set()


def empty_tables(app) -> None:
    from idp.schema import SCHEMA
    from infra.deferred_counts import flush_all

    flush_all()  # an earlier test's deferred counts are written now, not into this test's tables
    engine = get_db(app).engine
    with engine.begin() as conn:
        for metadata in reversed(SCHEMA.metadata()):
            for table in reversed(metadata.sorted_tables):
                if table.name not in PERSISTENT_TABLES:
                    conn.execute(sa.delete(table))


def empty_store(app) -> None:
    from infra.store import RedisStore

    store = get_store(app)
    if isinstance(store, RedisStore):
        store.delete_prefix()
    else:
        store._values.clear()
        store._queues.clear()


@pytest.fixture
def fresh_app(app):
    """The backend's app with empty tables and an empty store."""
    empty_tables(app)
    empty_store(app)
    get_service(app).invalidate()  # forget key material cached from the emptied tables
    provider(app).clients.clear()  # and clients cached for client authentication
    provider(app).token_states.clear()  # and what access tokens stand on
    provider(app).decisions.clear()
    provider(app).sign_in_levels.clear()
    provider(app).browser_origins.clear()
    return app


@pytest.fixture
def client(fresh_app):
    return fresh_app.test_client()


@pytest.fixture
def https_app(app, backend, tmp_path):  # `app`: the schema is made
    """An app of its own whose issuer is https://localhost (cookies get the __Host- prefix and
    Secure), with empty tables and an empty store."""
    from idp import create_app

    secure = create_app(settings_for(backend, tmp_path, server={"issuer": "https://localhost"}))
    secure.testing = True
    empty_tables(secure)
    empty_store(secure)
    yield secure
    get_db(secure).dispose()
    get_store(secure).close()


def key_rows(app) -> list[tuple[sa.Table, list[dict]]]:
    """Every row of the key tables, to put back with `restore_key_rows` after emptying them."""
    from keys.models import Base

    with get_db(app).engine.connect() as conn:
        return [(table, [dict(row._mapping) for row in conn.execute(sa.select(table))])
                for table in Base.metadata.sorted_tables]


def empty_key_tables(app) -> None:
    from keys.models import Base

    with get_db(app).engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(sa.delete(table))
    get_service(app).invalidate()


def restore_key_rows(app, rows) -> None:
    engine = get_db(app).engine
    with engine.begin() as conn:
        for table, values in rows:
            if values:
                conn.execute(sa.insert(table), values)
    get_service(app).invalidate()


@pytest.fixture(scope="session")
def oidc_key_rows(app):
    """The OIDC signing keys (`cedula keys init`: one ES256 and one RS256 key), made once per
    backend: an RSA key takes a while to generate, and most tests only need keys to exist.
    `oidc_app` (tests/idp/oidc/conftest.py) puts these rows back after `fresh_app`."""
    empty_tables(app)
    empty_store(app)
    service = get_service(app)
    service.invalidate()
    service.custody.initialise()
    service.keyring.bootstrap(service.now())
    rows = key_rows(app)
    empty_tables(app)
    service.invalidate()
    return rows


@pytest.fixture
def began() -> Span:
    """The clock read before the fixtures that depend on this one (and the test) act: the UTC
    days and months in between (tests.support.clock)."""
    return Span(datetime.now(UTC))
