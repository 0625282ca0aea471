"""A statement compiled once for the group commit's driver-level batches (`infra.group_commit`):
the SQL text, the parameter order and the dialect's bind processors, so that the values the
driver is given are those SQLAlchemy itself would send (`Plan.parameters`), at a fraction of
SQLAlchemy's per-execution cost. Where a plan cannot be run on the driver (a watched UPDATE or
DELETE, defaults to compute, expanding parameters), `Plan.core` says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import DATETIME as SQLITE_DATETIME
from sqlalchemy.sql.compiler import SQLCompiler

# Plans kept per GroupCommit (one engine, one dialect); a process uses a handful of statements.
MAX_PLANS = 512

PlanKey = tuple[int, tuple[str, ...]]
_Direct = tuple[tuple[str, "Callable[[Any], Any] | None"], ...]


@dataclass(frozen=True)
class Plan:
    """One statement compiled for one dialect and one set of value names: what the driver is
    given, and how each value set becomes the driver's parameters (as SQLAlchemy's execution
    context does it: `construct_params`, then the bind processors, in the dialect's order)."""

    statement: sa.Executable  # kept: the cache key holds its id()
    sql: str
    compiled: SQLCompiler
    positional: tuple[str, ...] | None
    processors: Mapping[str, Callable[[Any], Any]]
    escaped: Mapping[str, str]
    sequence: Callable[[list[Any]], Sequence[Any]]
    # Run through SQLAlchemy Core instead (a watched UPDATE/DELETE, defaults to compute, ...).
    core: bool
    # Positional, every parameter one of the value names (none from the statement itself, none
    # escaped): the driver's parameters are the values in the dialect's order, each through its
    # bind processor, as `construct_params` then the processors give them (built directly:
    # `construct_params` was most of the cost for a batch of one).
    direct: _Direct | None = None
    # Named (psycopg's `%(name)s`), every parameter one of the value names, bound once under
    # its own name (none escaped, none from the statement itself): the driver's parameters are
    # the values by name, each through its bind processor, in the order `construct_params`
    # gives them (issue 16: `construct_params` and the dict built from it were a third of a
    # /token's parameters on PostgreSQL).
    named: _Direct | None = None

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        direct = self.direct
        if direct is not None:
            return self.sequence([values[key] if process is None else process(values[key])
                                  for key, process in direct])
        named = self.named
        if named is not None:
            return {key: values[key] if process is None else process(values[key]) for key, process in named}
        params = self.compiled.construct_params(values, escape_names=False)
        processors = self.processors
        if self.positional is not None:
            return self.sequence([processors[key](params[key]) if key in processors else params[key]
                                  for key in self.positional])
        escaped = self.escaped
        return {escaped.get(key, key): processors[key](value) if key in processors else value
                for key, value in params.items()}


def plan_for(statement: sa.Executable, keys: tuple[str, ...], dialect: sa.Dialect) -> Plan:
    compiled = cast(sa.ClauseElement, statement).compile(
        dialect=dialect, column_keys=list(keys), for_executemany=True)  # no implicit RETURNING
    assert isinstance(compiled, SQLCompiler)
    options = statement.get_execution_options()
    watched = (compiled.isupdate or compiled.isdelete) and not options.get("cache_neutral")
    needs_core = bool(
        watched or compiled.insert_prefetch or compiled.update_prefetch
        or compiled.returning or compiled.implicit_returning
        or compiled.literal_execute_params or compiled.post_compile_params
        or compiled.schema_translate_map or options.get("schema_translate_map"))
    positional = (tuple(compiled.positiontup) if compiled.positional and compiled.positiontup is not None
                  else None)
    processors = _quicker(compiled, cast(Mapping[str, Callable[[Any], Any]], compiled._bind_processors), dialect)
    return Plan(
        statement=statement, sql=compiled.string, compiled=compiled, positional=positional,
        processors=processors, escaped=dict(compiled.escaped_bind_names), sequence=dialect.execute_sequence_format,
        core=needs_core, direct=_direct(compiled, positional, keys, processors),
        named=_named(compiled, positional, keys, processors))


# json.dumps with its defaults, as the C encoder it makes per call, made once (without the
# circular-reference bookkeeping: a value that contains itself ends in RecursionError instead of
# ValueError): the same text, a fraction of the cost for the small documents written here.
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_DUMPS = (_C_ENCODER(None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ": ", ", ",
                     False, False, True) if _C_ENCODER is not None else None)


def _quicker(compiled: SQLCompiler, processors: Mapping[str, Callable[[Any], Any]],
             dialect: sa.Dialect) -> Mapping[str, Callable[[Any], Any]]:
    """`processors`, with SQLAlchemy's JSON bind processor replaced by one that gives the same
    values (issue 16: json.dumps was a fifth of a /token's parameters) where it is the stock
    one: the type's own `bind_processor`, the dialect's default serializer (json.dumps) and no
    string processing after it (SQLite; psycopg's JSON types adapt values their own way)."""
    if _DUMPS is None or dialect._json_serializer is not None:
        return processors
    quicker = dict(processors)
    for bind in compiled.binds.values():
        if bind.key not in processors:
            continue
        impl = bind.type.dialect_impl(dialect)
        if (isinstance(impl, sa.JSON) and type(impl).bind_processor is sa.JSON.bind_processor
                and type(impl)._make_bind_processor is sa.JSON._make_bind_processor
                and impl._str_impl.bind_processor(dialect) is None):
            quicker[bind.key] = _json_processor(none_as_null=impl.none_as_null)
        elif (isinstance(impl, SQLITE_DATETIME) and type(impl).bind_processor is SQLITE_DATETIME.bind_processor
              and impl._storage_format == SQLITE_DATETIME._storage_format):
            quicker[bind.key] = _sqlite_datetime_processor(processors[bind.key])
    return quicker


# datetime (with its tzinfo) -> its SQLite text, shared by every plan: a request writes the
# same moment in several columns and rows (a grant's created_at, its log entry's at), and
# requests of the same second write the same moments (issue 16: `isoformat` was about 1% of a
# /token). Bounded: cleared when full.
_WRITTEN: dict[tuple[datetime, Any], str] = {}
WRITTEN_KEPT = 4096


def _sqlite_datetime_processor(stock: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """SQLite's DATETIME bind processor with its default storage format ("YYYY-MM-DD
    HH:MM:SS.ffffff", the time zone left out) for a `datetime`: the same text from the C
    `isoformat` (the year zero-padded to four digits, the microseconds always written, an
    offset cut off) instead of a %-format of seven attributes (issue 16: five per /token),
    kept per value (`_WRITTEN`: keyed with the tzinfo too, as equal instants in other zones
    are other wall times, other texts). Anything else (None, a date, a subclass, a wrong
    type) goes to the stock processor."""
    exact = datetime
    written = _WRITTEN

    def process(value: Any) -> Any:
        if type(value) is exact:
            key = (value, value.tzinfo)
            text = written.get(key)
            if text is None:
                if len(written) >= WRITTEN_KEPT:
                    written.clear()
                text = written[key] = value.isoformat(" ", "microseconds")[:26]
            return text
        return stock(value)

    return process


_ASCII = json.encoder.encode_basestring_ascii


def _plain(value: Any) -> str | None:
    """`json.dumps(value)` for the documents a request writes (None, a string, a list of
    strings, a dict of strings to those), written by the C string encoder the C encoder itself
    uses, without the encoder's per-call accumulation (issue 16: about 10k instructions per
    small document); None for anything else (`_json_processor` then encodes it as it did)."""
    kind = type(value)
    if kind is str:
        return _ASCII(value)
    if value is None:
        return "null"
    try:
        if kind is list:
            return f"[{', '.join(map(_ASCII, value))}]"  # TypeError: an item is not a string
        if kind is dict:
            members = []
            for key, item in value.items():
                text = _plain(item)
                if text is None:
                    return None
                members.append(f"{_ASCII(key)}: {text}")  # TypeError: a key is not a string
            return f"{{{', '.join(members)}}}"
    except TypeError:
        return None
    return None


def _json_processor(*, none_as_null: bool) -> Callable[[Any], Any]:
    """`sa.JSON._make_bind_processor` without string processing, serializing as json.dumps."""
    encode = _DUMPS
    assert encode is not None
    null = sa.JSON.NULL
    sql_null = sa.sql.elements.Null
    plain = _plain

    def process(value: Any) -> Any:
        if value is null:
            value = None
        elif isinstance(value, sql_null) or (value is None and none_as_null):
            return None
        text = plain(value)
        return text if text is not None else "".join(encode(value, 0))

    return process


def _direct(compiled: SQLCompiler, positional: tuple[str, ...] | None, keys: tuple[str, ...],
            processors: Mapping[str, Callable[[Any], Any]]) -> _Direct | None:
    """`Plan.direct` when the statement's parameters are exactly the value names (each bound
    once, in positional order), else None (`construct_params` decides)."""
    if positional is None or compiled.escaped_bind_names or len(set(positional)) != len(positional):
        return None
    if set(positional) != set(keys):
        return None
    binds = {bind.key: bind for bind in compiled.binds.values()}
    for key in positional:
        bind = binds.get(key)
        if bind is None or bind.callable is not None or bind.expanding or bind.literal_execute:
            return None
    return tuple((key, processors.get(key)) for key in positional)


def _named(compiled: SQLCompiler, positional: tuple[str, ...] | None, keys: tuple[str, ...],
           processors: Mapping[str, Callable[[Any], Any]]) -> _Direct | None:
    """`Plan.named` when the statement's parameters are named and exactly the value names (each
    bound once under its own name, none escaped), else None (`construct_params` decides)."""
    if positional is not None or compiled.escaped_bind_names:
        return None
    names = list(compiled.bind_names.values())
    if len(set(names)) != len(names) or set(names) != set(keys):
        return None
    binds = {bind.key: bind for bind in compiled.binds.values()}
    for bind, name in compiled.bind_names.items():
        if (bind.key != name or binds.get(name) is not bind or bind.callable is not None or bind.expanding
                or bind.literal_execute):
            return None
    return tuple((name, processors.get(name)) for name in names)
