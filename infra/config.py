"""Settings: `config/default.toml`, then environment variables, then explicit overrides.

Every setting is documented once, in `config/default.toml`. Environment variables named
`CEDULA_<SECTION>_<KEY>` override it, as do the short names in `SHORT_NAMES`.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from infra.components import Slot

if TYPE_CHECKING:
    from flask import Flask

# The defaults ship inside the package (an installed wheel has no `config/` folder);
# `config/default.toml` at the repository root is the documented copy, kept identical by a test.
DEFAULT_RESOURCE = ("infra", "defaults.toml")

SHORT_NAMES: dict[str, tuple[str, str]] = {
    "CEDULA_ISSUER": ("server", "issuer"),
    "CEDULA_DATA_DIR": ("server", "data_dir"),
    "CEDULA_DATABASE_URL": ("database", "url"),
    "CEDULA_REDIS_URL": ("store", "redis_url"),
    "CEDULA_KEYSTORE": ("keys", "backend"),
    "CEDULA_MASTER_KEY": ("keys", "master_key"),
    "CEDULA_PKCS11_MODULE": ("keys", "pkcs11_module"),
    "CEDULA_PKCS11_TOKEN": ("keys", "pkcs11_token"),
    "CEDULA_PKCS11_PIN": ("keys", "pkcs11_pin"),
}


class ConfigError(ValueError):
    """A setting is missing or has a value that cannot work; the message says which and why."""


def _coerce(raw: str, current: Any, name: str) -> Any:
    """Turn an environment string into the type the default has."""
    if isinstance(current, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    if isinstance(current, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if isinstance(current, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if isinstance(current, list):
        return [_coerce(item.strip(), current[0], name) if current else item.strip()
                for item in raw.split(",") if item.strip()]
    return raw


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def _apply_environment(data: dict[str, Any], environ: Mapping[str, str],
                       origins: dict[str, str] | None = None) -> None:
    origins = {} if origins is None else origins
    for name, (section, key) in SHORT_NAMES.items():
        long_name = f"CEDULA_{section}_{key}".upper()
        if name in environ and long_name in environ and environ[name] != environ[long_name]:
            # the long name was applied last, silently: CEDULA_STORE_REDIS_URL= beside
            # CEDULA_REDIS_URL=redis://... ran the in-process store
            raise ConfigError(f"{section}.{key} is set twice, differently: by the environment variables {name} and "
                              f"{long_name} (the same setting); unset one of them")
        if name in environ:
            data.setdefault(section, {})
            data[section][key] = _coerce(environ[name], data[section].get(key, ""), name)
            origins[f"{section}.{key}"] = f"the environment variable {name}"
    for section, values in data.items():
        if not isinstance(values, dict):
            continue
        for key, current in list(values.items()):
            name = f"CEDULA_{section}_{key}".upper()
            if name in environ:
                values[key] = _coerce(environ[name], current, name)
                origins[f"{section}.{key}"] = f"the environment variable {name}"
    _unknown_variables(data, environ)


def _unknown_variables(data: Mapping[str, Any], environ: Mapping[str, str]) -> None:
    """Refuse `CEDULA_<SECTION>_<KEY>` for a section Cédula has and a key it does not
    (`CEDULA_SESSION_IDLE_SECS`): like a misspelt name in the file, it would otherwise be
    ignored without a word and the default used. Other CEDULA_ variables (CEDULA_CONFIG, the
    tests' and benchmarks' own) are not settings and are left alone."""
    sections = sorted((f"CEDULA_{section}_".upper() for section, values in data.items() if isinstance(values, dict)),
                      key=len, reverse=True)
    known = set(SHORT_NAMES) | {f"{prefix}{key}".upper() for prefix in sections
                                for key in data[prefix[len("CEDULA_"):-1].lower()]}
    for name in environ:
        if name in known or not name.startswith("CEDULA_"):
            continue
        prefix = next((p for p in sections if name.startswith(p)), None)
        if prefix is None:
            continue
        close = difflib.get_close_matches(name, sorted(n for n in known if n.startswith(prefix)), n=1)
        hint = f" (misspelt {close[0]}?)" if close else " (misspelt?)"
        raise ConfigError(f"the environment variable {name} is not a setting of Cédula{hint}; config/default.toml "
                          "lists every setting ([section] key is CEDULA_SECTION_KEY): correct the name or unset it")


def _unknown_settings(defaults: Mapping[str, Any], given: Mapping[str, Any], path: str, prefix: str = "") -> None:
    """Refuse a setting of the file at `path` that Cédula does not have (a misspelt name would
    otherwise be ignored without a word, and its default used): tables that are empty in the
    defaults (`[consent.legal_bases]`) take any name."""
    for key, value in given.items():
        name = f"{prefix}{key}"
        if key not in defaults:
            where = f"[{prefix.rstrip('.')}] {key}" if prefix else (f"[{key}]" if isinstance(value, Mapping) else key)
            raise ConfigError(f"{path}: {where} is not a setting of Cédula (misspelt?); config/default.toml lists "
                              "every setting: correct the name or remove it")
        if isinstance(value, Mapping) and isinstance(defaults[key], Mapping) and defaults[key]:
            _unknown_settings(defaults[key], value, path, f"{name}.")


def _typed_like_defaults(defaults: Mapping[str, Any], given: Mapping[str, Any], path: str, prefix: str = "") -> None:
    """`_typed_like_default` for every value of the file (its names are known by now)."""
    for key, value in given.items():
        if isinstance(value, Mapping) and isinstance(defaults[key], Mapping) and defaults[key]:
            _typed_like_defaults(defaults[key], value, path, f"{prefix}{key}.")
        else:
            _typed_like_default(defaults[key], value, f"{prefix}{key}", path)


def _kind(value: Any) -> str | None:
    """What a default's value needs from the file: a flag, a number, a list or a table (a text
    default takes any value: a PIN written as 1234 is read as text)."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"  # the component checks whole and bounds (`seal_seconds` takes 0.05)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return None


def _typed_like_default(default: Any, value: Any, name: str, path: str) -> None:
    """Refuse a value of the file at `path` whose type cannot stand for its default's (`"900"`
    or `true` for a number of seconds), naming the setting and the file, when the settings are
    loaded: read later by the component as `int(...)`, it stopped every command with a
    traceback."""
    kind = _kind(default)
    if kind is None:
        return
    fits = (isinstance(value, bool) if isinstance(default, bool)
            else isinstance(value, int | float) and not isinstance(value, bool) if isinstance(default, int | float)
            else isinstance(value, list) if isinstance(default, list)
            else isinstance(value, Mapping))
    if not fits:
        raise ConfigError(f"{name} must be {kind}, got {value!r} (set in CEDULA_CONFIG file {path}); "
                          "config/default.toml says what it means")


def _file_origins(given: Mapping[str, Any], path: str, origins: dict[str, str], prefix: str = "") -> None:
    for key, value in given.items():
        if isinstance(value, Mapping):
            _file_origins(value, path, origins, f"{prefix}{key}.")
        else:
            origins[f"{prefix}{key}"] = f"CEDULA_CONFIG file {path}"


# "section.key ...", "section.key: ...", "[section] key: ..."
_SETTING = re.compile(r"\[?([a-z_][a-z0-9_.]*)(?:\.|\] )([a-z_][a-z0-9_]*):? ")


def where_set(settings: Settings | None, message: str) -> str:
    """`message` (a ConfigError's, which starts with the setting's `section.key` or `[section] key`)
    with where that value was set: the CEDULA_CONFIG file or the environment variable."""
    found = _SETTING.match(message)
    origin = settings.origins.get(f"{found[1]}.{found[2]}") if found and settings is not None else None
    return f"{message} (set in {origin})" if origin else message


def refused_setting(settings: Mapping[str, Any], exc: BaseException) -> ConfigError | None:
    """`exc`, raised while the app was built, as the ConfigError it is: a ConfigError, or a
    component's own settings error (`DocumentSettingsError`, `VerifySettingsError`, the key
    store's `InvalidRequest`) whose message starts with a setting of `settings`; None for any
    other error. Commands and `cedula serve` then end with its one line and where the value was
    set (a component's own error family stopped them with a traceback)."""
    if isinstance(exc, ConfigError):
        return exc
    if not isinstance(exc, Exception):
        return None
    found = _SETTING.match(str(exc))
    section = settings.get(found[1]) if found else None
    if found is None or not isinstance(section, Mapping) or found[2] not in section:
        return None
    return ConfigError(str(exc))


@dataclass(frozen=True)
class Settings(Mapping[str, Mapping[str, Any]]):
    """All settings, by section. `settings["session"]["idle_seconds"]`."""

    data: Mapping[str, Mapping[str, Any]]
    # "section.key" -> where its value was set (a CEDULA_CONFIG file, an environment variable)
    origins: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, section: str) -> Mapping[str, Any]:
        return self.data[section]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __hash__(self) -> int:
        return id(self)

    @cached_property
    def issuer(self) -> str:
        return str(self.data["server"]["issuer"]).rstrip("/")

    @cached_property
    def secure(self) -> bool:
        """True when the issuer is https: cookies get __Host- and Secure, HSTS is sent."""
        return urlsplit(self.issuer).scheme == "https"

    @cached_property
    def origin(self) -> str:
        """The issuer's origin as a browser serialises it (RFC 6454 section 6.1), which the
        WebAuthn clientDataJSON.origin and a request's Origin header are compared to as strings:
        scheme://host[:port], lower case, no default port, no user info, no root-label dot
        (an issuer written `https://id.example:443` is the origin `https://id.example`)."""
        parts = urlsplit(self.issuer)
        host = f"[{self.rp_id}]" if ":" in self.rp_id else self.rp_id
        port = parts.port
        default = {"http": 80, "https": 443}.get(parts.scheme)
        return f"{parts.scheme}://{host}" + (f":{port}" if port is not None and port != default else "")

    @cached_property
    def rp_id(self) -> str:
        """The WebAuthn relying party ID: the issuer's host name (lower case, without the
        root-label dot a browser does not keep)."""
        return (urlsplit(self.issuer).hostname or "localhost").rstrip(".") or "localhost"

    @cached_property
    def data_dir(self) -> Path:
        return Path(str(self.data["server"]["data_dir"])).expanduser().resolve()

    @cached_property
    def database_url(self) -> str:
        url = str(self.data["database"]["url"])
        return url or f"sqlite:///{self.data_dir / 'cedula.db'}"

    @cached_property
    def redis_url(self) -> str:
        return str(self.data["store"]["redis_url"])

    @cached_property
    def server(self) -> ServerSettings:
        """The `[server]` table, typed and checked (`read_server`)."""
        return read_server(self)


def _bounds(minimum: float, maximum: float | None) -> str:
    return f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"


@dataclass(frozen=True)
class Section:
    """One `[name]` table of the settings, read with checks: each reader returns the value with
    its type, or raises ConfigError naming `name.key`, what it must be and what it is instead.

    `read_section(settings, "logout").whole("token_seconds", minimum=10)`; a component's
    settings module reads its section once at start into a frozen dataclass. `error`: the
    exception raised (a package with its own error family passes a subclass of its base error).
    """

    name: str
    values: Mapping[str, Any]
    error: type[Exception] = ConfigError

    def _refuse(self, key: str, must: str) -> Exception:
        return self.error(f"{self.name}.{key} must be {must}, got {self.values.get(key)!r}")

    def whole(self, key: str, *, minimum: int = 1, maximum: int | None = None, unit: str = "") -> int:
        """A whole number from `minimum` (to `maximum`); `unit` ("seconds") is named in the error."""
        value = self.values.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum or (
                maximum is not None and value > maximum):
            kind = f"a whole number of {unit}" if unit else "a whole number"
            raise self._refuse(key, f"{kind} {_bounds(minimum, maximum)}")
        return value

    def number(self, key: str, *, minimum: float, maximum: float | None = None, unit: str = "") -> float:
        """A finite number (whole or not) from `minimum` (to `maximum`): TOML's `nan` compares
        false with every bound and `inf` passes a bound from below only."""
        value = self.values.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) or (
                value < minimum) or (maximum is not None and value > maximum):
            kind = f"a number of {unit}" if unit else "a number"
            raise self._refuse(key, f"{kind} {_bounds(minimum, maximum)}")
        return float(value)

    def flag(self, key: str) -> bool:
        value = self.values.get(key)
        if not isinstance(value, bool):
            raise self._refuse(key, "true or false")
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.values.get(key)
        if value not in allowed:
            raise self._refuse(key, f"one of {', '.join(allowed)}")
        return str(value)

    def text(self, key: str) -> str:
        """A string setting; empty when it is not set."""
        return str(self.values.get(key) or "")


def read_section(settings: Mapping[str, Mapping[str, Any]], name: str, *,
                 error: type[Exception] = ConfigError) -> Section:
    """The `[name]` table of `settings` (empty when the settings have none)."""
    return Section(name, settings.get(name, {}), error)


PORTS = (1, 65535)
MAX_WORKERS = 256
MAX_THREADS = 1024
MAX_BODY_BYTES = 1 << 30  # 1 GiB: far above any request this service takes
MAX_PROXY_HOPS = 16
MAX_RETRY_AFTER_SECONDS = 3600
# A day: far above the seconds any worker takes to load or to show it is alive (0 is "never");
# 1e15 reached gunicorn's `timeout` and granian's watchdog as it was.
MAX_WORKER_TIMEOUT = 86400
# The longest duration a setting in seconds may name (ten years): far above any that makes sense,
# and far below what `timedelta` holds (1e15 seconds stopped commands with an OverflowError).
MAX_SECONDS = 10 * 366 * 86400


@dataclass(frozen=True)
class ServerSettings:
    """`[server]` (config/default.toml says what each one does)."""

    host: str
    port: int
    workers: int
    threads: int
    max_requests: int  # 0: never replace a worker (gunicorn only)
    worker_timeout: float  # seconds; 0: never
    max_body_bytes: int
    proxy_hops: int
    node_name: str
    retry_after_seconds: int
    readiness_check_seconds: int


def read_server(settings: Mapping[str, Mapping[str, Any]]) -> ServerSettings:
    """The `[server]` table with its checks: a value that cannot work (a port above 65535, a
    worker count of "abc", a negative timeout) is a ConfigError naming the setting when the
    settings are loaded, before anything starts, instead of an OverflowError inside the WSGI
    server."""
    section = read_section(settings, "server")
    host = section.text("host")
    if not host:
        raise section._refuse("host", "an address to bind, e.g. 127.0.0.1 or 0.0.0.0")
    return ServerSettings(
        host=host,
        port=section.whole("port", minimum=PORTS[0], maximum=PORTS[1]),
        workers=section.whole("workers", minimum=1, maximum=MAX_WORKERS),
        threads=section.whole("threads", minimum=1, maximum=MAX_THREADS),
        # no upper bound: a huge one is "never replace a worker", as 0
        max_requests=section.whole("max_requests", minimum=0),
        worker_timeout=section.number("worker_timeout", minimum=0, maximum=MAX_WORKER_TIMEOUT,
                                      unit="seconds (0: never)"),
        max_body_bytes=section.whole("max_body_bytes", minimum=1, maximum=MAX_BODY_BYTES, unit="bytes"),
        proxy_hops=section.whole("proxy_hops", minimum=0, maximum=MAX_PROXY_HOPS),
        node_name=section.text("node_name"),
        retry_after_seconds=section.whole("retry_after_seconds", minimum=1, maximum=MAX_RETRY_AFTER_SECONDS,
                                          unit="seconds"),
        readiness_check_seconds=section.whole("readiness_check_seconds", minimum=0, maximum=MAX_RETRY_AFTER_SECONDS,
                                              unit="seconds"),
    )


SETTINGS: Slot[Settings] = Slot("settings")


def get_settings(app: Flask | None = None) -> Settings:
    """The settings of `app` (default: the current application)."""
    return SETTINGS.of(app)


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read the defaults, apply the environment, then `overrides` (a nested mapping)."""
    package, name = DEFAULT_RESOURCE
    data: dict[str, Any] = tomllib.loads(files(package).joinpath(name).read_text(encoding="utf-8"))
    origins: dict[str, str] = {}
    file_settings: tuple[dict[str, Any], Mapping[str, Any], str] | None = None
    extra_file = (environ if environ is not None else os.environ).get("CEDULA_CONFIG")
    if extra_file:
        try:
            with open(extra_file, "rb") as fh:
                given = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"CEDULA_CONFIG={extra_file} cannot be read: {exc}") from None
        _unknown_settings(data, given, extra_file)
        file_settings = (copy.deepcopy(data), given, extra_file)
        _merge(data, given)
        _file_origins(given, extra_file, origins)
    _apply_environment(data, environ if environ is not None else os.environ, origins)
    if overrides:
        _merge(data, overrides)
    settings = Settings(data, origins)
    try:
        _validate(settings)
        _ = settings.server  # checked now: a wrong [server] value is refused before anything starts
    except ConfigError as exc:
        raise ConfigError(where_set(settings, str(exc))) from None
    if file_settings is not None:  # after the checks above, whose messages say more (a port's range)
        _typed_like_defaults(*file_settings)
    return settings


def _validate(settings: Settings) -> None:
    parts = urlsplit(settings.issuer)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"server.issuer must be an absolute http(s) URL, got {settings.issuer!r}; "
            "set CEDULA_ISSUER, e.g. https://id.example.gov"
        )
    if parts.scheme == "http" and parts.hostname not in {"localhost", "127.0.0.1", "::1"}:
        raise ConfigError(
            f"server.issuer {settings.issuer!r} uses http on a public host; passkeys and secure "
            "cookies need https (http is allowed only for localhost)"
        )
    if parts.query or parts.fragment:
        raise ConfigError("server.issuer must not have a query or fragment (OIDC Discovery 1.0, section 3)")
    _database_url(str(settings["database"]["url"]))
    _logging(settings)
    _connections(settings)
    _platform(settings)


def _connections(settings: Settings) -> None:
    """The bounds of the database pool and of the Redis store: `store.timeout_seconds = -7`
    made every request that needs Redis a 500 (socket timeout out of range), a pool size of -7
    or a connect timeout of 0 (libpq: wait for ever) went unnoticed until an outage."""
    database = read_section(settings, "database")
    database.whole("pool_size", minimum=1, maximum=MAX_POOL)
    database.whole("pool_overflow", minimum=0, maximum=MAX_POOL)
    database.number("pool_timeout_seconds", minimum=0.1, maximum=MAX_WAIT_SECONDS, unit="seconds")
    database.whole("connect_timeout_seconds", minimum=1, maximum=MAX_WAIT_SECONDS, unit="seconds")
    database.whole("pool_recycle_seconds", minimum=0, maximum=MAX_SECONDS, unit="seconds (0: never)")
    store = read_section(settings, "store")
    store.number("connect_timeout_seconds", minimum=0.1, maximum=MAX_WAIT_SECONDS, unit="seconds")
    store.number("timeout_seconds", minimum=0.1, maximum=MAX_WAIT_SECONDS, unit="seconds")
    store.whole("retries", minimum=0, maximum=MAX_RETRIES)
    store.number("snapshot_interval_seconds", minimum=1, maximum=MAX_SECONDS, unit="seconds")
    prefix = store.values.get("key_prefix")
    if not isinstance(prefix, str) or not KEY_PREFIX.fullmatch(prefix):
        raise store._refuse("key_prefix", "1 to 64 letters, digits, ':', '.', '_' or '-'")


MAX_POOL = 1000  # connections per worker process: far above what PostgreSQL's max_connections allows
MAX_WAIT_SECONDS = 600  # the longest wait for a connection or an answer a request may be given
MAX_RETRIES = 100
# Redis key prefix: "" shared the whole keyspace with whatever else uses the database, and a glob
# character (`*`, `?`, `[`) or a space made the prefix's SCAN pattern (RedisStore.delete_prefix)
# match other deployments' keys
KEY_PREFIX = re.compile(r"[A-Za-z0-9:._-]{1,64}")


def _platform(settings: Settings) -> None:
    """The bounds of the rate limits, the HSTS header and the demo portals' ports, read where
    they are used with a bare int(): `rate_limit.attempts = 0` refused every enrolment and
    recovery (429), `window_seconds = -7` switched the limits off (each count expired at once),
    `security.hsts_seconds = -7` sent `max-age=-7`, which browsers ignore (RFC 6797 6.1.1), and
    a demo port of 70000 was handed to the demo portals as it was."""
    rate_limit = read_section(settings, "rate_limit")
    # counts have no upper bound: a huge one is a real choice (no limit; the benchmarks use 10**9)
    for key in ("attempts", "challenges", "documents_api", "documents_templates"):
        rate_limit.whole(key, minimum=1)
    rate_limit.whole("window_seconds", minimum=1, maximum=MAX_SECONDS, unit="seconds")
    # 0 is allowed: max-age=0 tells browsers to forget HSTS (leaving https, RFC 6797 6.1.1)
    read_section(settings, "security").whole("hsts_seconds", minimum=0, maximum=MAX_SECONDS, unit="seconds")
    demo = read_section(settings, "demo")
    for key in ("registry_port", "tax_port"):
        demo.whole(key, minimum=PORTS[0], maximum=PORTS[1])


# `[logging] level` (any case) and `format`: what infra.ops.logging.configure can set up.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("json", "text")


def _logging(settings: Settings) -> None:
    """Refuse a log level logging does not know (its ValueError ended every command with a
    traceback) and a format that is neither json nor text (taken silently as text)."""
    section = read_section(settings, "logging")
    if str(section.values.get("level", "")).upper() not in LOG_LEVELS:
        raise section._refuse("level", f"one of {', '.join(LOG_LEVELS)}")
    section.choice("format", LOG_FORMATS)


# The URLs `infra.db.create_engine` can open (postgresql:// and postgres:// are read as psycopg's).
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")


def _database_url(url: str) -> None:
    """Refuse a database URL no engine can open (`postgres:/host/db`, `mysql://...`, a path
    without sqlite:///) when the settings are loaded: SQLAlchemy's ArgumentError or a missing
    driver module otherwise stopped every command with a traceback. The message names the
    scheme only: the URL may carry the database password."""
    if not url:
        return
    scheme, separator, _ = url.partition("://")
    if separator and scheme.lower() in DATABASE_SCHEMES:
        return
    found = f"the scheme {scheme!r}" if separator else "no scheme:// (e.g. a path or a host name)"
    raise ConfigError("database.url must be empty (SQLite at <data_dir>/cedula.db), sqlite:///<path> or "
                      f"postgresql+psycopg://user@host/dbname, got a URL with {found}; correct it or unset it")
