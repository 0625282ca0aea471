"""The Redis store: shared by every worker on every machine (production).

`redis://` and `rediss://` URLs name one server; `redis+sentinel://h1:p1,h2:p2/service/db`
names Redis Sentinel's sentinels and the service they monitor: the primary is asked of the
sentinels, and found again when it stops answering or turns read-only after a failover.
Every command has a bounded time (`timeout_seconds`) and a bounded number of retries after a
lost connection, so a Redis outage becomes a `StoreError` (503) within seconds, never a hang.
"""

from __future__ import annotations

import builtins
import os
import select
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import parse_qs, unquote

import redis
from hiredis import pack_command  # a dependency (redis-py's reply parser): the protocol, in C
from redis._parsers.hiredis import NOT_ENOUGH_DATA as _NOT_ENOUGH_DATA
from redis._parsers.hiredis import _HiredisParser
from redis._parsers.socket import SERVER_CLOSED_CONNECTION_ERROR as _SERVER_CLOSED
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

from infra.store.base import EphemeralStore, GuardRefused, StoreError, TakeGuard

SENTINEL_SCHEME = "redis+sentinel"


# Pop the due items of a sorted-set queue atomically, so each goes to one worker only.
_DUE = """
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #items > 0 then redis.call('ZREM', KEYS[1], unpack(items)) end
return items
"""

_INCR = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""

# GETDEL, and if the key was there a mark naming one field of the JSON value taken: a spent
# authorization code's replay mark, written in the same round trip as the code is taken.
_TAKE_AND_MARK = """
local value = redis.call('GETDEL', KEYS[1])
if value then redis.call('SET', KEYS[2], tostring(cjson.decode(value)[ARGV[1]]), 'PX', ARGV[2]) end
return value
"""

# `take_and_read`: as _TAKE_AND_MARK, and with it the keys the request reads next (KEYS[3..])
# and a chain of keys named by the value (ARGV[4..]: prefixes; the first followed by the value's
# field ARGV[3], each next by the value read before). Everything is read, and every error
# raised, before the first write: a failed script takes nothing. The chain's keys are computed
# here (a single Redis or Sentinel's primary, not Redis Cluster, like the rest of this store).
# The take itself, shared by both scripts: {none} answers a missing code, {lead} comes before
# the value, the reads start at KEYS[{reads}] and the chain at ARGV[{chain}].
_TAKE = """
local value = redis.call('GET', KEYS[1])
if not value then return {none} end
local decoded = cjson.decode(value)
local mark = tostring(decoded[ARGV[1]])
local out = {{{lead}value}}
for i = {reads}, #KEYS do out[#out + 1] = redis.call('GET', KEYS[i]) end
local part = decoded[ARGV[3]]
if part == cjson.null then part = nil end
for i = {chain}, #ARGV do
  if part then part = redis.call('GET', ARGV[i] .. tostring(part)) end
  out[#out + 1] = part or false
end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], mark, 'PX', ARGV[2])
return out
"""
_TAKE_AND_READ = _TAKE.format(none="{}", lead="", reads="3", chain="4")

# `take_and_read` with a `TakeGuard`: KEYS[3] the guard's key, then its groups' keys
# (ARGV[5]: their sizes, "1,2"), then the keys read; ARGV[4] the guard's expected value, ARGV[6]
# what an absent guard key reads as, ARGV[7..] the chain. {0}: the guard did not hold, nothing
# was taken or written; {1}: no code; else {1, value, read...}, as _TAKE_AND_READ.
_GUARDED_TAKE_AND_READ = """
local held = redis.call('GET', KEYS[3]) or ARGV[6]
local k = 4
local refused = false
for size in string.gmatch(ARGV[5], '%d+') do
  local all = true
  for i = 1, tonumber(size) do
    if not redis.call('GET', KEYS[k]) then all = false end
    k = k + 1
  end
  if all then refused = true end
end
if held ~= ARGV[4] or refused then return {0} end""" + _TAKE.format(none="{1}", lead="1, ", reads="k", chain="7")

# `compare_and_set`: KEYS[i] is set to ARGV[1 + #KEYS + i] (for ARGV[1] ms) only if every
# KEYS[i] holds ARGV[1 + i]; 1 if set, 0 if nothing was. Every key is compared before the first
# write (a key of another type compares unequal: pcall, no error). Safe to run again after a lost
# reply: the repeat finds the new values, changes nothing and answers 0.
_COMPARE_AND_SET = """
local n = #KEYS
for i = 1, n do
  local current = redis.pcall('GET', KEYS[i])
  if type(current) ~= 'string' or current ~= ARGV[1 + i] then return 0 end
end
for i = 1, n do redis.call('SET', KEYS[i], ARGV[1 + n + i], 'PX', ARGV[1]) end
return 1
"""

T = TypeVar("T")

# This process's id, kept across fork (`os.register_at_fork`), to tell a forked child's held
# connections from its parent's: `os.getpid()` is a system call (glibc no longer caches it),
# asked twice per /token on the held connections (issue 16).
_pid = os.getpid()


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)


def _ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


def _idle(connection: Any) -> bool:
    """True when redis-py's `connection` is connected, nothing is waiting to be read on it and the
    server has not closed it: what the pool's `ensure_connection` checks before a command (the
    same zero-timeout poll, without its layers: issue 16). False: let `ensure_connection` decide
    (connect, reconnect, or refuse)."""
    sock = connection._sock
    reader = getattr(connection._parser, "_reader", None)
    if sock is None or reader is None or reader.has_data() or getattr(sock, "pending", None) is not None:
        return False  # (a TLS socket may hold decrypted bytes: redis-py's own check)
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return not poller.poll(0)


def _is_hiredis(parser: Any) -> bool:
    """redis-py's hiredis parser (a function: a check in place would narrow `parser` for mypy)."""
    return type(parser) is _HiredisParser


def _exchange(connection: Any, packed: bytes) -> Any:
    """Send `packed` (one command, `hiredis.pack_command`) on redis-py's `connection`
    (`send_packed_command`) and read its reply with the connection's own hiredis reader, as
    `read_response()` does, without its layers (issue 16: about a third of a GET's CPU). A
    push message (RESP3) before the reply goes to the parser's handler, as redis-py hands it. A
    timeout is redis-py's TimeoutError, a socket error or a closed connection its
    ConnectionError, the connection dropped either way (as redis-py drops it); an error reply
    is raised as redis-py raises it (ResponseError, NoScriptError, BusyLoadingError, ...).
    Another parser (redis-py's pure-Python one) goes redis-py's way."""
    parser: Any = connection._parser  # redis-py's parser (partly untyped)
    reader = getattr(parser, "_reader", None)
    sock = connection._sock
    if reader is None or sock is None or not _is_hiredis(parser):
        connection.send_packed_command([packed], check_health=False)
        return connection.read_response()
    push = parser._hiredis_PushNotificationType
    connection.send_packed_command([packed], check_health=False)  # drops the connection on failure
    try:
        while True:
            reply = reader.gets()
            while reply is _NOT_ENOUGH_DATA:
                size = sock.recv_into(parser._buffer)
                if size == 0:
                    raise redis.ConnectionError(_SERVER_CLOSED)
                reader.feed(parser._buffer, 0, size)
                reply = reader.gets()
            if push is None or not isinstance(reply, push):
                break
            parser.handle_push_response(reply)
            reader, sock = parser._reader, connection._sock  # (the handler may have disconnected)
            if reader is None or sock is None:
                raise redis.ConnectionError(_SERVER_CLOSED)
        if isinstance(reply, redis.ConnectionError):
            raise reply
        if type(reply) is list and reply and isinstance(reply[0], redis.ConnectionError):
            raise reply[0]
    except TimeoutError as exc:
        connection.disconnect()
        raise redis.TimeoutError(f"Timeout on Redis at {connection.host}:{connection.port}") from exc
    except OSError as exc:
        connection.disconnect()
        raise redis.ConnectionError(f"Error on Redis at {connection.host}:{connection.port}: {exc}") from exc
    except BaseException:
        connection.disconnect()
        raise
    if connection.health_check_interval:
        connection.next_health_check = time.monotonic() + connection.health_check_interval
    if isinstance(reply, redis.ResponseError):
        raise reply
    return reply


@dataclass(frozen=True)
class RedisOptions:
    """Bounds on every Redis call ([store] in config/default.toml)."""

    connect_timeout_seconds: float = 2.0
    timeout_seconds: float = 3.0
    retries: int = 2


@dataclass(frozen=True)
class SentinelUrl:
    """`redis+sentinel://[[user]:password@]host:port[,host:port...]/service[/db][?options]`."""

    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_password: str | None = None

    @classmethod
    def parse(cls, url: str) -> SentinelUrl:
        # Split by hand, not with urlsplit: its netloc check (Python 3.11.10+, 3.12.4+, and
        # distributions' backports) refuses text before a "[" (`h1:26379,[::1]:26381`: "Invalid
        # IPv6 URL"), and a sentinel URL lists several hosts there.
        scheme, separator, rest = url.partition("://")
        if not separator or scheme.lower() != SENTINEL_SCHEME:
            raise ValueError(f"a sentinel URL starts with {SENTINEL_SCHEME}://, got {url.split(':', 1)[0]}://")
        rest = rest.partition("#")[0]
        rest, _, query_text = rest.partition("?")
        netloc, _, path_text = rest.partition("/")
        credentials, _, hosts = netloc.rpartition("@")
        sentinels = []
        for item in hosts.split(","):
            host, _, port = item.strip().rpartition(":")
            if not host or not (port.isascii() and port.isdigit()):
                raise ValueError(f"sentinel address {item!r} must be host:port")
            sentinels.append((host.strip("[]"), int(port)))
        path = [segment for segment in path_text.split("/") if segment]
        if not 1 <= len(path) <= 2:
            raise ValueError("a sentinel URL names the monitored service and optionally the "
                             "database: redis+sentinel://host:26379/mymaster/0")
        if len(path) == 2 and not (path[1].isascii() and path[1].isdigit()):
            raise ValueError(f"the database must be a number, got {path[1]!r}")
        username, _, password = credentials.partition(":") if credentials else ("", "", "")
        query = parse_qs(query_text)
        return cls(sentinels=tuple(sentinels), service=unquote(path[0]),
                   db=int(path[1]) if len(path) == 2 else 0,
                   username=unquote(username) or None, password=unquote(password) or None,
                   sentinel_password=query.get("sentinel_password", [None])[0])


def connect(url: str, options: RedisOptions | None = None) -> redis.Redis:
    """A client for a `redis://`, `rediss://` or `redis+sentinel://` URL, with bounded calls."""
    options = options or RedisOptions()
    common: dict[str, Any] = {
        "socket_timeout": options.timeout_seconds,
        "socket_connect_timeout": options.connect_timeout_seconds,
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), options.retries),
        "retry_on_error": [redis.ConnectionError, redis.TimeoutError],
        "health_check_interval": 30,
    }
    if not url.startswith(SENTINEL_SCHEME + "://"):
        return redis.Redis.from_url(url, **common)
    parsed = SentinelUrl.parse(url)
    sentinel = Sentinel(
        list(parsed.sentinels),
        sentinel_kwargs={"socket_timeout": options.timeout_seconds,
                         "socket_connect_timeout": options.connect_timeout_seconds,
                         "password": parsed.sentinel_password},
    )
    return cast(redis.Redis, sentinel.master_for(parsed.service, db=parsed.db, username=parsed.username,
                                                 password=parsed.password, **common))


class RedisStore(EphemeralStore):
    """Single commands go through the calling thread's own client (`_mine`): one connection of
    the pool, held by the thread (redis-py's `single_connection_client`), with redis-py's whole
    command path (bounded retries on a new connection, NOSCRIPT reload, reply parsing) but
    without a pool checkout and checkin per command: a GET costs about half the CPU (22.8
    instead of 42 us measured, the checkout polls the socket). Pipelines check a connection out
    as before. A connection per thread that uses the store: a worker's threads, and the
    background ones. The hot reads (GET, MGET) and `take_and_read`'s script are sent on it
    and their replies read directly (`_quick`, `_quick_once`); anything unusual (a connection
    lost, a script to load) goes redis-py's way.

    Commands that must not run twice (`take`, `take_and_mark`, `take_and_read`, `add`, `incr`,
    `due`: a retry after a reply lost would find the lost attempt's own effect, and answer a
    first use as a replay) are sent once: on a second connection per thread, from a pool without retries,
    checked first as a pool checks a connection (reconnected if the server closed it while
    idle, before anything is sent). A failure once sent is a StoreError (503, try again).

    Behind Sentinel every command checks a connection out of the pool, as redis-py intends
    there: a held connection that lost its primary reconnects to the address it had (redis-py
    finds the new primary only when the pool hands a connection out), so it would keep
    failing after a failover."""

    shared = True

    def __init__(self, url: str, *, prefix: str = "cedula:", options: RedisOptions | None = None) -> None:
        self._prefix = prefix
        self._client = connect(url, options)
        self._due = self._client.register_script(_DUE)
        self._incr = self._client.register_script(_INCR)
        self._take_and_mark = self._client.register_script(_TAKE_AND_MARK)
        self._take_and_read = self._client.register_script(_TAKE_AND_READ)
        self._guarded_take_and_read = self._client.register_script(_GUARDED_TAKE_AND_READ)
        self._compare_and_set = self._client.register_script(_COMPARE_AND_SET)
        self._local = threading.local()
        once = options or RedisOptions()
        self._once_pool = connect(url, RedisOptions(connect_timeout_seconds=once.connect_timeout_seconds,
                                                    timeout_seconds=once.timeout_seconds,
                                                    retries=0)).connection_pool
        # Connections held per thread, except behind Sentinel (see the class's docstring).
        self._held = not url.startswith(SENTINEL_SCHEME + "://")
        self._once_client = redis.Redis(connection_pool=self._once_pool)

    def _k(self, key: str) -> str:
        return self._prefix + key

    def _mine(self) -> redis.Redis:
        """This thread's client, made at its first command (made again in a forked child:
        the parent's connection is never used there; the pool starts afresh in the child)."""
        if not self._held:
            return self._client
        local = self._local
        client: redis.Redis | None = getattr(local, "client", None)
        pid = _pid
        if client is None or local.pid != pid:
            # redis-py's `Redis.client()` (untyped): a client on one connection of the pool,
            # which it checks out (and connects) now, inside `_run`'s try.
            client = local.client = redis.Redis(connection_pool=self._client.connection_pool,
                                                single_connection_client=True)
            local.pid = pid
        return client

    def _run(self, command: Callable[[redis.Redis], T]) -> T:
        """`command` with this thread's client; a Redis failure is a StoreError."""
        try:
            return command(self._mine())
        except redis.RedisError as exc:
            raise StoreError(f"Redis is unavailable: {exc}") from exc

    def _once(self, command: Callable[[redis.Redis], T]) -> T:
        """`command` sent at most once (no retry after it was sent), with this thread's client
        of the pool without retries; its connection checked first (`ensure_connection`: made
        again if the server closed it, before the command is sent)."""
        if not self._held:
            return self._call(command, self._once_client)
        local = self._local
        pid = _pid
        try:
            client: redis.Redis | None = getattr(local, "once", None)
            if client is None or local.once_pid != pid:
                client = local.once = redis.Redis(connection_pool=self._once_pool, single_connection_client=True)
                local.once_pid = pid
            elif client.connection is not None:
                self._once_pool.ensure_connection(client.connection)
            return command(client)
        except redis.RedisError as exc:
            raise StoreError(f"Redis is unavailable: {exc}") from exc

    def _quick(self, args: tuple[Any, ...], command: Callable[[redis.Redis], T]) -> T:
        """`_run(command)` for a read sent as `args` (GET, MGET): on this thread's held
        connection, its reply read as it comes (bytes, None, a list of them), without redis-py's
        command path (retry wrapper, health check, reply callbacks: about 13 of a GET's 20 us,
        issue 16). A connection that fails (the server closed it while idle, a timeout) is
        dropped, and the read goes `_run`'s way: redis-py connects again, with its retries."""
        if not self._held:
            return self._run(command)
        try:
            connection: Any = self._mine().connection  # redis-py's Connection (partly untyped)
            if connection is not None and connection._sock is not None:
                try:
                    return cast(T, _exchange(connection, pack_command(args)))
                except (redis.ConnectionError, redis.TimeoutError):
                    connection.disconnect()
        except redis.RedisError as exc:
            raise StoreError(f"Redis is unavailable: {exc}") from exc
        return self._run(command)

    def _quick_once(self, args: tuple[Any, ...], command: Callable[[redis.Redis], T]) -> T:
        """`_once(command)` for a script's EVALSHA sent as `args`, as `_quick` sends a read:
        on this thread's connection for commands sent once, checked first as `_once` checks
        it, never sent again once sent. A server that does not know the script (NOSCRIPT: it
        ran nothing) gets it through `_once`, which loads it and runs it."""
        local = self._local
        client: redis.Redis | None = getattr(local, "once", None)
        if not self._held or client is None or local.once_pid != _pid or client.connection is None:
            return self._once(command)
        connection: Any = client.connection
        try:
            if not _idle(connection):  # as the pool's ensure_connection: reconnected, or refused
                self._once_pool.ensure_connection(connection)
            try:
                return cast(T, _exchange(connection, pack_command(args)))
            except redis.exceptions.NoScriptError:
                pass
        except redis.RedisError as exc:
            raise StoreError(f"Redis is unavailable: {exc}") from exc
        return self._once(command)

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except redis.RedisError as exc:
            raise StoreError(f"Redis is unavailable: {exc}") from exc

    def get(self, key: str) -> bytes | None:
        name = self._prefix + key
        return cast(bytes | None, self._quick(("GET", name), lambda client: client.get(name)))

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self._run(lambda client: client.set(self._k(key), value, px=_ms(ttl)))

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        names = [self._prefix + key for key in keys]
        return cast(list[bytes | None], self._quick(("MGET", *names), lambda client: client.mget(names)))

    def set_many(self, items: Mapping[str, bytes], ttl: float) -> None:
        def run() -> None:
            pipe = self._client.pipeline(transaction=False)
            for key, value in items.items():
                pipe.set(self._k(key), value, px=_ms(ttl))
            pipe.execute()

        if items:
            self._call(run)

    def compare_and_set(self, items: Mapping[str, tuple[bytes, bytes]], ttl: float) -> bool:
        """One script, on this thread's client (`_run`: the held connection, or a pool checkout
        behind Sentinel), with redis-py's retries and NOSCRIPT reload: a repeat after a lost
        reply changes nothing (see `_COMPARE_AND_SET`), so it need not be sent once only."""
        if not items:
            return True
        keys = [self._prefix + key for key in items]
        args: list[bytes | int] = [_ms(ttl), *[expected for expected, _new in items.values()],
                                   *[new for _expected, new in items.values()]]
        script = self._compare_and_set
        return bool(self._run(lambda client: script(keys=keys, args=args, client=client)))

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        return bool(self._once(lambda client: client.set(self._k(key), value, px=_ms(ttl), nx=True)))

    def take(self, key: str) -> bytes | None:
        return cast(bytes | None, self._once(lambda client: client.getdel(self._k(key))))

    def take_and_mark(self, key: str, mark_key: str, field: str, ttl: float) -> bytes | None:
        keys = [self._k(key), self._k(mark_key)]
        args: list[str | int] = [field, _ms(ttl)]
        return cast(bytes | None, self._once(lambda client: self._take_and_mark(keys=keys, args=args, client=client)))

    def take_and_read(self, key: str, mark_key: str, field: str, ttl: float, *, read: Sequence[str] = (),
                      follow: str = "", chain: Sequence[str] = (),
                      guard: TakeGuard | None = None) -> tuple[bytes | None, list[bytes | None]]:
        prefix = self._prefix
        if guard is not None:
            return self._guarded(key, mark_key, field, ttl, read=read, follow=follow, chain=chain, guard=guard)
        keys = [prefix + key, prefix + mark_key, *[prefix + name for name in read]]
        args: list[str | int] = [field, _ms(ttl), follow, *[prefix + link for link in chain]]
        script = self._take_and_read
        reply = cast(list[bytes | None], self._quick_once(
            ("EVALSHA", script.sha, len(keys), *keys, *args),
            lambda client: script(keys=keys, args=args, client=client)))
        if not reply:
            return None, []
        return reply[0], reply[1:]

    def _guarded(self, key: str, mark_key: str, field: str, ttl: float, *, read: Sequence[str],
                 follow: str, chain: Sequence[str], guard: TakeGuard) -> tuple[bytes | None, list[bytes | None]]:
        """`take_and_read` with `guard` checked in the same script, before anything is taken."""
        prefix = self._prefix
        keys = [prefix + key, prefix + mark_key, *[prefix + name for name in guard.keys()],
                *[prefix + name for name in read]]
        args: list[str | int | bytes] = [field, _ms(ttl), follow, guard.expected,
                                         ",".join(str(len(group)) for group in guard.refused_when_all),
                                         guard.absent, *[prefix + link for link in chain]]
        script = self._guarded_take_and_read
        reply = cast(list[Any], self._quick_once(
            ("EVALSHA", script.sha, len(keys), *keys, *args),
            lambda client: script(keys=keys, args=args, client=client)))
        if reply[0] == 0:
            raise GuardRefused
        if len(reply) == 1:
            return None, []
        return reply[1], reply[2:]

    def delete(self, *keys: str) -> None:
        if keys:
            names = [self._k(k) for k in keys]
            self._run(lambda client: client.delete(*names))

    def expire(self, key: str, ttl: float) -> None:
        self._run(lambda client: client.pexpire(self._k(key), _ms(ttl)))

    def incr(self, key: str, ttl: float) -> int:
        return int(self._once(lambda client: self._incr(keys=[self._k(key)], args=[_ms(ttl)], client=client)))

    def set_add(self, key: str, member: str, ttl: float) -> int:
        def run() -> int:
            pipe = self._client.pipeline()
            pipe.sadd(self._k(key), member)
            pipe.pexpire(self._k(key), _ms(ttl))
            pipe.scard(self._k(key))
            return int(pipe.execute()[-1])

        return self._call(run)

    def set_remove(self, key: str, member: str) -> None:
        self._run(lambda client: client.srem(self._k(key), member))

    def set_members(self, key: str) -> builtins.set[str]:
        members = cast(builtins.set[bytes], self._run(lambda client: client.smembers(self._k(key))))
        return {m.decode() for m in members}

    def schedule(self, queue: str, item: str, at: float) -> None:
        self._run(lambda client: client.zadd(self._k(queue), {item: at}))

    def due(self, queue: str, now: float, limit: int = 100) -> list[str]:
        items = self._once(lambda client: self._due(keys=[self._k(queue)], args=[now, limit], client=client))
        return [i.decode() for i in items]

    def delete_prefix(self) -> None:
        """Delete every key under this store's prefix (tests and `cedula` maintenance)."""
        batch: list[bytes] = []
        for key in self._client.scan_iter(match=self._prefix + "*", count=500):
            batch.append(key)
            if len(batch) >= 500:
                self._client.delete(*batch)
                batch.clear()
        if batch:
            self._client.delete(*batch)

    def ping(self) -> None:
        self._run(lambda client: client.ping())

    def close(self) -> None:
        """Release this thread's connection and close the pool (every thread's connection)."""
        for name in ("client", "once"):
            client: redis.Redis | None = getattr(self._local, name, None)
            setattr(self._local, name, None)
            if client is not None:
                client.close()
        self._client.close()
        self._once_pool.disconnect()
