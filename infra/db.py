"""The relational store: SQLAlchemy 2 engine, one transaction per operation, Alembic upgrades.

Each package owns its tables (`<package>.models.Base`, on `new_metadata()`) and its Alembic
branch (`<package>/migrations/versions`); the application names the packages once, in a
`Schema`, and `cedula db upgrade` brings every branch up together.
"""

from __future__ import annotations

import json
import logging
import os
import re
import select
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from functools import cached_property
from importlib import import_module
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from infra.components import Slot
from infra.config import get_settings

if TYPE_CHECKING:  # alembic loads when migrations run: a command that only reads does not pay it
    from alembic.config import Config as AlembicConfig
    from flask import Flask  # nor Flask (`cedula verify`)

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The Alembic environment (env.py, script.py.mako); each package keeps its own versions.
# The largest id a BIGINT (PostgreSQL) or INTEGER (SQLite) row id holds: a command's id argument
# is checked against it (a larger one is "no such row", not the driver's OverflowError).
MAX_ROW_ID = 2**63 - 1
MIGRATIONS_DIR = Path(str(files("infra").joinpath("migrations")))


def new_metadata() -> sa.MetaData:
    """The MetaData of one package's tables, with the constraint names every package shares."""
    return sa.MetaData(naming_convention=NAMING_CONVENTION)


@dataclass(frozen=True)
class Schema:
    """The packages whose tables make up the database, in dependency order.

    Each package `p` has its tables in `p.models` (a `Base` whose metadata lists them) and its
    Alembic branch in `p/migrations/versions`; the application declares the list once.
    """

    packages: tuple[str, ...]

    def metadata(self) -> list[sa.MetaData]:
        """Every package's MetaData, for Alembic and for tests that empty the tables."""
        result = []
        for package in self.packages:
            try:
                module = import_module(f"{package}.models")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.models":
                    raise
                continue
            result.append(module.Base.metadata)
        return result

    def alembic_config(self, url: str) -> AlembicConfig:
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        locations = [str(folder) for folder in (
            Path(str(files(package).joinpath("migrations", "versions"))) for package in self.packages)
            if folder.is_dir()]
        cfg.set_main_option("version_locations", " ".join(locations))
        cfg.set_main_option("path_separator", "space")
        cfg.attributes["url"] = url
        cfg.attributes["schema"] = self
        return cfg

    def upgrade(self, url: str) -> str:
        """Bring the schema to the newest revision of every package (`cedula db upgrade`) and
        say what was done: "created" (a new database), "migrated" or "current" (nothing to do).
        A database already there is left alone without running Alembic's environment, which
        imports every package's models (the warm start of `make run`)."""
        current = self.current(url)
        if current == self.heads(url):
            return "current"
        newer = current - self.revisions(url)
        if newer:  # Alembic would stop with "Can't locate revision" (a traceback), having done nothing
            raise SchemaAhead(newer)
        from alembic import command

        command.upgrade(self.alembic_config(url), "heads")
        return "migrated" if current else "created"

    def current(self, url: str) -> set[str]:
        """The revisions the database is at (empty for a new database)."""
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                if not sa.inspect(conn).has_table("alembic_version"):
                    return set()
                return set(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
        finally:
            engine.dispose()

    def heads(self, url: str) -> set[str]:
        """The newest revision of every package's migration branch."""
        from alembic.script import ScriptDirectory

        return set(ScriptDirectory.from_config(self.alembic_config(url)).get_heads())

    def revisions(self, url: str) -> set[str]:
        """Every revision of every package's migration branch: a database at any other one was
        migrated by a newer release."""
        from alembic.script import ScriptDirectory

        return {script.revision for script in ScriptDirectory.from_config(self.alembic_config(url)).walk_revisions()}


class SchemaAhead(Exception):
    """The database is at revisions no migration of this release has: a newer release migrated
    it (the code was rolled back after `cedula db upgrade`, or an older node was started on it).
    This release cannot migrate it, back or forth; the message says what to do instead."""

    def __init__(self, revisions: set[str]) -> None:
        self.revisions = revisions
        super().__init__(
            f"the database is at {', '.join(sorted(revisions))}, which this release of Cédula does not have: "
            "a newer release migrated it. Run that release (or a later one), or restore the backup taken "
            "before its `cedula db upgrade` (docs/operations.md, Upgrades); nothing was changed")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@dataclass(frozen=True)
class PoolSettings:
    """How each process holds its PostgreSQL connections ([database] in config/default.toml)."""

    size: int = 10
    overflow: int = 10
    timeout_seconds: float = 5.0
    connect_timeout_seconds: int = 3
    recycle_seconds: int = 1800

    @classmethod
    def from_settings(cls, section: Mapping[str, Any]) -> PoolSettings:
        return cls(size=int(section["pool_size"]), overflow=int(section["pool_overflow"]),
                   timeout_seconds=float(section["pool_timeout_seconds"]),
                   connect_timeout_seconds=int(section["connect_timeout_seconds"]),
                   recycle_seconds=int(section["pool_recycle_seconds"]))


def _sqlite_savepoint_inside_a_transaction(conn: sa.Connection, _name: str) -> None:
    """Open the real transaction before a SAVEPOINT that would otherwise be the outermost.

    Python's sqlite3 begins a transaction only before the first INSERT/UPDATE/DELETE. A
    SAVEPOINT before any of those starts a transaction of its own in SQLite, and its RELEASE
    commits it: what the savepoint wrote would survive the rollback of the surrounding unit
    of work (`session.begin_nested()` after only reads). BEGIN IMMEDIATE first makes the
    savepoint nest in the unit of work, which commits or rolls back as a whole; IMMEDIATE
    takes the write lock now (waiting up to busy_timeout), since the savepoint is there to write.
    """
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _socket_is_quiet(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse, at checkout, a pooled connection the server has already closed (no round trip).

    An idle connection in the pool receives nothing unless the server ends it: a restart or a
    fast shutdown sends a termination notice and closes the socket, which makes the socket
    readable (or hung up). One zero-timeout poll() tells, instead of a `SELECT 1` per checkout
    (`pool_pre_ping`, measured in issue 16 as a round trip on every checkout). The pool then
    drops every connection made before now and connects again (SQLAlchemy retries the
    checkout); a connection that dies silently is caught by TCP keepalives and, at its first
    use, by SQLAlchemy's disconnect handling, which also empties the pool.
    """
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        raise sa.exc.InvalidatePoolError("the connection was closed")
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        raise sa.exc.InvalidatePoolError("the server closed the connection (restart or shutdown)")


def _create_private(path: str) -> None:
    """Create the SQLite file mode 0600 before SQLite does (0644 under the usual umask: every
    account on the machine could read citizens' records and the wrapped keys). SQLite gives its
    -wal and -shm files the database file's mode. An existing file is left as it is."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def create_engine(url: str, *, pool: PoolSettings | None = None, echo: bool = False) -> Engine:
    """An engine for SQLite (embedded default) or PostgreSQL through psycopg 3. A statement's
    values never appear in its errors (`hide_parameters`): an IntegrityError names a national
    ID or an e-mail address otherwise, in every log line and traceback that carries it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _create_private(path.split("?", 1)[0])
        engine = sa.create_engine(url, echo=echo, hide_parameters=True, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "savepoint", _sqlite_savepoint_inside_a_transaction)
        return engine
    pool = pool or PoolSettings()
    engine = sa.create_engine(
        url, echo=echo, hide_parameters=True, pool_size=pool.size, max_overflow=pool.overflow,
        pool_timeout=pool.timeout_seconds,
        pool_recycle=pool.recycle_seconds or -1,  # 0 is never (config/default.toml); SQLAlchemy's never is -1
        connect_args={
            # A stopped server is refused at once; an unreachable one is given up on quickly,
            # so a request answers 503 instead of hanging.
            "connect_timeout": pool.connect_timeout_seconds,
            # A peer that vanished without closing (a network partition, a killed VM) is
            # noticed within about 30 seconds instead of the kernel's two hours.
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
        },
    )
    sa.event.listen(engine, "checkout", _socket_is_quiet)
    return engine


_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk I/O error")


def is_unavailable(exc: BaseException) -> bool:
    """True when `exc`, or an exception it was raised from or while handling, says the database
    cannot be reached now (not that a statement is wrong).

    Connection refused or lost, the server shutting down, the pool waiting longer than
    `pool_timeout_seconds`, SQLite's lock wait running out: the caller answers 503 and the
    next request, on a fresh connection, may well succeed. The chain is followed because a
    library in between (pyHanko signing with a key read from the database, a cache) may wrap the
    driver's error in its own.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _unavailable_itself(current):
            return True
        current = current.__cause__ or current.__context__
    return False


# SQLAlchemy's own errors (no driver error attached) that only a lost connection causes:
# the pool giving up after a reconnected connection was found closed again at checkout (the
# server accepted it and shut down at once: the first moment of an outage), and a connection
# or session used again after its connection was invalidated mid-transaction.
_LOST_CONNECTION_WORDS = (
    "This connection is closed",  # pool/base.py: reconnection attempts exhausted on checkout
    "Can't reconnect until invalid",  # engine/base.py: the connection was invalidated
)
_DRIVER_UNAVAILABLE_NAMES = ("OperationalError", "InterfaceError")


def _driver_unavailable(exc: BaseException) -> bool:
    """A driver's own OperationalError or InterfaceError (PEP 249), not wrapped by SQLAlchemy:
    raised from the pool's checkout hook or a raw connection (psycopg: connection lost,
    server shutting down, cannot connect)."""
    module = type(exc).__module__.split(".", 1)[0]
    if module != "psycopg":
        return False
    return any(base.__name__ in _DRIVER_UNAVAILABLE_NAMES and base.__module__.startswith("psycopg")
               for base in type(exc).__mro__)


def _unavailable_itself(exc: BaseException) -> bool:
    if isinstance(exc, sa.exc.TimeoutError | sa.exc.DisconnectionError):
        return True
    if _driver_unavailable(exc):
        return True
    if isinstance(exc, sa.exc.InvalidRequestError) and not isinstance(exc, sa.exc.DBAPIError):
        return any(words in str(exc) for words in _LOST_CONNECTION_WORDS)
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if isinstance(exc.orig, sqlite3.Error):
        # SQLite reports a missing table as an OperationalError too: only waits and I/O count.
        return any(words in str(exc.orig) for words in _SQLITE_UNAVAILABLE)
    return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)


class _LazySession:
    """A read session that opens on its first use (`Database.lazy_read`)."""

    __slots__ = ("_factory", "_session")

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._session: Session | None = None

    def __getattr__(self, name: str) -> Any:
        if self._session is None:
            self._session = self._factory()
        return getattr(self._session, name)


class _LazyRead:
    """`Database.lazy_read`'s block: enters with a `_LazySession`, closes it on the way out if
    it was opened (an error in the block included, which goes on up). A class, not a
    `contextmanager` generator: the generator's wrapper was eight Python calls per block, on
    every UserInfo request and /token of a cached client (issue 16)."""

    __slots__ = ("_lazy",)

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._lazy = _LazySession(factory)

    def __enter__(self) -> Session:
        return self._lazy  # type: ignore[return-value]  # a Session to its user (it opens one on first use)

    def __exit__(self, *_exc: object) -> None:
        opened = self._lazy._session
        if opened is not None:
            opened.close()


class Database:
    """The engine and a session factory; `transaction()` is the unit of work."""

    def __init__(self, url: str, *, schema: Schema, pool: PoolSettings | None = None,
                 echo: bool = False) -> None:
        self.url = url
        self.schema = schema
        self.engine = create_engine(url, pool=pool, echo=echo)
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

    def lazy_read(self) -> AbstractContextManager[Session]:
        """`read()`, but the session is made only if something uses it: a request answered from
        per-process caches (`infra.invalidation`) pays for no session at all."""
        return _LazyRead(self.sessionmaker)

    @cached_property
    def expected_heads(self) -> set[str]:
        """The newest revision of every package's migration branch (read once)."""
        return self.schema.heads(self.url)

    @cached_property
    def known_revisions(self) -> set[str]:
        """Every revision of this release's migrations (read once)."""
        return self.schema.revisions(self.url)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def pending_heads(database: Database) -> set[str]:
    """Heads the database has not reached yet; empty when the schema is current."""
    return database.expected_heads - _current_heads(database)


def newer_revisions(database: Database) -> set[str]:
    """Revisions the database is at that this release does not have (`SchemaAhead`); empty
    when a newer release has not migrated it."""
    return _current_heads(database) - database.known_revisions


def _current_heads(database: Database) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


DATABASE: Slot[Database] = Slot("database")


def init_app(app: Flask, schema: Schema) -> Database:
    settings = get_settings(app)
    database = Database(
        settings.database_url, schema=schema,
        pool=PoolSettings.from_settings(settings["database"]),
        echo=bool(settings["database"]["echo"]),
    )
    return DATABASE.install(app, database)


def get_db(app: Flask | None = None) -> Database:
    """The database of `app` (default: the current application)."""
    return DATABASE.of(app)


# PostgreSQL: a statement with its values written in as SQL literals (the group commit's one
# simple-protocol query, `infra.group_commit`). psycopg's `ClientCursor.mogrify` does it for any
# value through its dumpers, in Python per value: 90 us for a /token's grant and log entry
# (issue 16). The values a plain INSERT carries (text, UUIDs, aware datetimes, JSON, integers,
# booleans, NULL) are written here as mogrify writes them, the text ones escaped by libpq itself
# (PQescapeLiteral, for this connection's encoding and settings); for any other value, or a
# statement whose placeholders are not all `%(name)s`, mogrify writes the whole statement.
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%|%")
_TEMPLATES: dict[str, tuple[str, tuple[str, ...]] | None] = {}
TEMPLATES_KEPT = 1_000
# An aware datetime of a fixed offset (the application's UTC) -> its literal, shared by every
# connection: a /token writes the same moment in several columns and rows, and requests of the
# same second the same issue and expiry times (issue 16: `isoformat` was 2% of a /token's
# instructions on PostgreSQL). Keyed with the zone: equal instants at other offsets are other
# texts. Other zones (a fold, a rule per date) are written each time. Bounded: cleared when full.
_MOMENTS: dict[tuple[datetime, tzinfo], str] = {}
MOMENTS_KEPT = 4096
# json.dumps with its defaults, its C encoder made once (as `infra.group_commit` does): the same text.
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_DUMPS = (_C_ENCODER(None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ": ", ", ",
                     False, False, True) if _C_ENCODER is not None else None)


def _template(sql: str) -> tuple[str, tuple[str, ...]] | None:
    """`sql` as a `str.format` template with a field for each `%(name)s` (`%%` as `%`), and
    the names in order; None for a placeholder of another kind."""
    texts: list[str] = []
    names: list[str] = []
    last = 0
    for found in _PLACEHOLDER.finditer(sql):
        texts.append(sql[last:found.start()].replace("{", "{{").replace("}", "}}"))
        last = found.end()
        if found.group(1) is not None:
            texts.append("{}")
            names.append(found.group(1))
        elif found.group(0) == "%%":
            texts.append("%")
        else:
            return None  # a lone % (psycopg refuses it): mogrify says so
    texts.append(sql[last:].replace("{", "{{").replace("}", "}}"))
    return "".join(texts), tuple(names)


def pg_literal_statements(driver: Any, mogrify: Callable[[str, Mapping[str, Any]], str]
                          ) -> Callable[[str, Mapping[str, Any]], str]:
    """`mogrify` (psycopg's `ClientCursor.mogrify` on the psycopg connection `driver`) for the
    statements of one batch, quicker for the common values (the same text)."""
    from psycopg import pq
    from psycopg.types.json import Json

    if driver.info.encoding != "utf-8":
        return mogrify
    escape = pq.Escaping(driver.pgconn).escape_literal
    encode = _DUMPS

    # Text without a backslash: PQescapeLiteral writes it quoted with each quote doubled (the
    # E'' form only for a backslash), which is written here without the encode, the C call and
    # the decode: 3.9k -> 2.4k instructions a value, ten text and five JSON values per /token
    # (issue 16). Text with a NUL goes to mogrify, which refuses it as psycopg does (DataError):
    # PQescapeLiteral stops at the NUL, and the value was stored cut short there.
    def text(value: str) -> str | None:
        if "\\" in value or "\x00" in value:
            return None if "\x00" in value else bytes(escape(value.encode())).decode()
        return "'" + value.replace("'", "''") + "'" if "'" in value else f"'{value}'"

    def json_value(value: Any) -> str | None:
        if value.dumps is not None or encode is None:
            return None  # a serializer of its own: mogrify uses it
        return f'{text("".join(encode(value.obj, 0)))}::json'  # (no NUL: the encoder writes \u0000)

    written = _MOMENTS
    fixed = timezone

    def moment(value: datetime) -> str | None:
        zone = value.tzinfo
        if type(zone) is fixed:  # a fixed offset (UTC): equal keys are the same wall time and offset
            key = (value, zone)
            literal = written.get(key)
            if literal is None:
                if len(written) >= MOMENTS_KEPT:
                    written.clear()
                literal = written[key] = f"'{value.isoformat(' ')}'::timestamptz"
            return literal
        if zone is None or value.utcoffset() is None:
            return None  # naive: psycopg writes it as a timestamp without time zone
        return f"'{value.isoformat(' ')}'::timestamptz"

    writers: dict[type, Callable[[Any], str | None]] = {
        type(None): lambda _value: "NULL",
        str: text,
        uuid.UUID: lambda value: f"'{value.hex}'::uuid",
        Json: json_value,
        datetime: moment,
        bool: lambda value: "true" if value else "false",
        int: lambda value: str(value) if value >= 0 else f" {value}",
    }

    def statement(sql: str, values: Mapping[str, Any]) -> str:
        try:
            template = _TEMPLATES[sql]
        except KeyError:
            if len(_TEMPLATES) >= TEMPLATES_KEPT:
                _TEMPLATES.clear()
            template = _TEMPLATES[sql] = _template(sql)
        if template is None or not isinstance(values, Mapping):
            return mogrify(sql, values)
        form, names = template
        try:
            written = [writers[type(value)](value) for value in [values[name] for name in names]]
        except KeyError:  # a value of another type, or a name without a value (psycopg says which)
            return mogrify(sql, values)
        if None in written:
            return mogrify(sql, values)
        return form.format(*written)

    return statement
