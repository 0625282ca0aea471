"""The relational store: SQLAlchemy 2 engine, one transaction per operation, Alembic upgrades.

Each package owns its tables: `idp.db.Base` for the identity provider, `keys.models.Base`
and `signing.models.Base` for theirs. Alembic keeps one migration branch per package
(`<package>/migrations/versions`), all upgraded together by `cedula db upgrade`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from importlib import import_module
from importlib.resources import files
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Packages whose models and migrations make up the schema, in dependency order.
SCHEMA_PACKAGES = ("keys", "clients", "idp", "signing")

def _package_folder(package: str, *parts: str) -> Path:
    """A folder shipped inside an installed package (importlib.resources, not the source tree)."""
    return Path(str(files(package).joinpath(*parts)))


MIGRATIONS_DIR = _package_folder("idp", "migrations")


class Base(DeclarativeBase):
    """Declarative base of the identity provider's tables."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """An engine for SQLite (embedded default) or PostgreSQL through psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = sa.create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


class Database:
    """The engine and a session factory; `transaction()` is the unit of work."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size, echo=echo)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One operation, one transaction: commit on success, roll back on any error."""
        with self.sessionmaker.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads only; nothing is committed."""
        with self.sessionmaker() as session:
            yield session

    @cached_property
    def expected_heads(self) -> set[str]:
        """The newest revision of every package's migration branch (read once)."""
        return set(ScriptDirectory.from_config(alembic_config(self.url)).get_heads())

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = []
    for package in SCHEMA_PACKAGES:
        folder = _package_folder(package, "migrations", "versions")
        if folder.is_dir():
            locations.append(str(folder))
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str) -> None:
    """Bring the schema to the newest revision of every package (`cedula db upgrade`)."""
    cfg = alembic_config(url)
    command.upgrade(cfg, "heads")


def pending_heads(database: Database) -> set[str]:
    """Heads the database has not reached yet; empty when the schema is current."""
    with database.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return database.expected_heads - current


def all_metadata() -> list[sa.MetaData]:
    """Every package's MetaData, for Alembic and for tests that empty the tables."""
    result = []
    for package in SCHEMA_PACKAGES:
        try:
            module = import_module(f"{package}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.models":
                raise
            continue
        result.append(module.Base.metadata)
    return result


def init_app(app: Flask) -> Database:
    settings = app.config["CEDULA"]
    database = Database(
        settings.database_url,
        pool_size=int(settings["database"]["pool_size"]),
        echo=bool(settings["database"]["echo"]),
    )
    app.extensions["cedula.db"] = database
    return database


def get_db(app: Flask) -> Database:
    return app.extensions["cedula.db"]
