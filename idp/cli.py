"""The `cedula` command: serve, database, and the commands each package contributes.

Flask's own CLI machinery does the wiring: the root object is a `ScriptInfo`
(`idp.cli_context.Context`) that reads the settings once and builds the app only when a command
needs it; the packages' groups are `flask.cli.AppGroup`s, whose commands run inside the app
context (`with_appcontext`), so no package imports this module. Package commands are imported
when they run: `cedula --help` reads their one-line help from `COMMANDS` and imports none of
them (a test keeps the two equal). This module imports no Flask: `cedula verify` gets an
`idp.cli_verify.VerifyContext` instead and never loads it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from functools import update_wrapper
from importlib import import_module
from typing import TYPE_CHECKING, Any

import click

from infra.cli_errors import SettingRefused
from infra.config import MAX_WORKERS, PORTS, ConfigError

if TYPE_CHECKING:
    from idp.cli_context import Context
    from idp.cli_verify import VerifyContext
    from infra.db import SchemaAhead


def __getattr__(name: str) -> Any:
    """`idp.cli.Context` (Flask's `ScriptInfo`), imported when asked for: `cedula verify`
    never loads Flask."""
    if name == "Context":
        from idp.cli_context import Context

        return Context
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _verify_command() -> click.Command:
    """`cedula verify`: verification builds only what it needs, not the web app (the root
    callback gives it an `idp.cli_verify.VerifyContext` root object)."""
    from idp.cli_verify import imports_without_collection

    with imports_without_collection():
        from signing.verify.cli import verify_command

    return verify_command


def _clients_group() -> click.Command:
    """`cedula clients ...`, with `move-sector` (it needs the provider's pairwise subjects)."""
    from clients.cli import clients
    from idp.oidc.cli import move_sector

    clients.add_command(move_sector)
    return clients


def _documents_group() -> click.Command:
    """`cedula documents ...`, with `issue` (it reads the agency and logs the release in idp)."""
    from idp.documents.cli import issue
    from signing.cli import documents_group

    documents_group.add_command(issue)
    return documents_group


# name -> (where the command is, the first sentence of its help, shown by `cedula --help`)
COMMANDS: Mapping[str, tuple[str | Callable[[], click.Command], str]] = {
    "audit": ("idp.audit.cli:audit_group",
              "The data-sharing log and the operator audit trail (hash chain, signed checkpoints)."),
    "clients": (_clients_group,
                "Agency portals registered as OpenID Connect clients."),
    "documents": (_documents_group,
                  "Issued documents: templates, issuing as an agency, listing."),
    "indicators": ("idp.indicators.cli:indicators_group",
                   "Indicators: daily counts of what the service does, by agency."),
    "keys": ("keys.cli:keys_group",
             "Key custody: master key and OpenID Connect signing keys."),
    "logout": ("idp.logout.cli:logout_group",
               "Single logout (back-channel logout deliveries)."),
    "notify": ("infra.notify.cli:notify_group",
               "Messages to people (one-time codes, notices): the notification outbox."),
    "mds": ("idp.assurance.cli:mds_group",
            "FIDO Metadata Service (MDS3): which authenticators are trusted or revoked."),
    "operators": ("idp.operator.cli:operators_group",
                  "Operators: who may use the operator console (/operator), signed in at level high."),
    "pki": ("keys.cli:pki_group",
            "The document PKI: CAs, seal certificates, revocation."),
    "registrar": ("idp.registrar.cli:registrar_group",
                  "Registrars: agents of a service point who verify identities in person."),
    "registry": ("idp.civil_register.cli:registry_group",
                 "The authoritative civil register that enrolments are matched against."),
    "resources": ("idp.oidc.cli:resources_group",
                  "Agencies' APIs as protected resources (RFC 8707 resource indicators)."),
    "wallet": ("idp.wallet.cli:wallet_group",
               "Digital wallets: trusted PID issuers, status lists, issuer metadata."),
    "verify": (_verify_command,
               "Verify the signatures of a PDF: exit 0 valid, 1 failed, 2 indeterminate, 3 unreadable, "
               "4 withdrawn by its issuer (revoked or superseded), 5 not verified (usage or settings)."),
}


def load_command(name: str) -> click.Command:
    """Import the package command `name` (see `COMMANDS`)."""
    where = COMMANDS[name][0]
    if callable(where):
        return where()
    module, attribute = where.split(":")
    command = getattr(import_module(module), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{where} is not a click command")
    return command


class Root(click.Group):
    """The root group: its own commands, and the packages' commands imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.add_command(load_command(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a database or Redis that cannot serve ends it with one sentence
        saying which and what to do (exit status 1), a setting that cannot work with its own
        (exit status 2), never a traceback."""
        # `cedula keys rotate --help` reads no setting: a refused one must not hide the help
        ctx.meta[_ASKS_HELP] = any(arg in HELP_OPTIONS for arg in [*ctx._protected_args, *ctx.args])
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ConfigError as exc:  # a setting read while the command ran: as one refused at the start
            from infra.config import where_set

            obj = ctx.find_root().obj
            raise SettingRefused(where_set(getattr(obj, "settings", None), str(exc))) from None
        except Exception as exc:
            message = _outage(ctx, exc)
            if message is None:
                raise
            raise click.ClickException(message) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of `cedula --help`, without importing the packages' commands."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self.commands[name].get_short_help_str(limit) if name in self.commands
                 else click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


HELP_OPTIONS = ("-h", "--help")
_ASKS_HELP = "cedula.asks_help"


@click.group(cls=Root, context_settings={"help_option_names": list(HELP_OPTIONS)})
@click.version_option(package_name="cedula")
@click.pass_context
def cli(click_ctx: click.Context) -> None:
    """Cédula: citizen identity (OpenID Connect, passkeys) and e-signature provider."""
    from infra.ops.logging import configure as configure_logging

    if click_ctx.obj is None and click_ctx.invoked_subcommand == "verify":
        from idp.cli_verify import VerifyContext

        # no Flask, no app to build; the process ends with the command (no root object given)
        context: Context | VerifyContext = VerifyContext(freeze_imports=True)
        click_ctx.obj = context
    else:
        context = click_ctx.ensure_object(_context())
    try:
        settings = context.settings
    except ConfigError as exc:
        if click_ctx.meta.get(_ASKS_HELP):
            return  # the help is printed; the command itself would stop at the setting
        if click_ctx.invoked_subcommand == "verify":  # its 2 is a verdict (INDETERMINATE)
            from signing.verify.cli import NotVerifiedSetting

            raise NotVerifiedSetting(str(exc)) from None
        raise SettingRefused(str(exc)) from None
    configure_logging(str(settings["logging"]["level"]), str(settings["logging"]["format"]))


def _context() -> type[Context]:
    from idp.cli_context import Context

    return Context


def _pass_context(command: Callable[..., None]) -> Callable[..., None]:
    """Pass the root object (an `idp.cli_context.Context`, made if there is none) first."""

    @click.pass_context
    def run(click_ctx: click.Context, /, *args: Any, **kwargs: Any) -> None:
        click_ctx.invoke(command, click_ctx.ensure_object(_context()), *args, **kwargs)

    return update_wrapper(run, command)


@cli.group()
def db() -> None:
    """The relational database."""


@db.command("upgrade")
@_pass_context
def db_upgrade(ctx: Context) -> None:
    """Create or migrate the schema to the newest version (safe to run again)."""
    from idp.schema import SCHEMA
    from infra.db import SchemaAhead

    settings = ctx.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        done = SCHEMA.upgrade(settings.database_url)
    except SchemaAhead as exc:  # a newer release migrated it: this one can do nothing (exit 1)
        raise click.ClickException(str(exc)) from None
    said = {"created": "database created at the newest schema",
            "migrated": "database migrated to the newest schema",
            "current": "database already at the newest schema: nothing to do"}[done]
    click.echo(f"{said} ({_redact(settings.database_url)})")


def _outage(ctx: click.Context, exc: Exception) -> str | None:
    """The sentence for a command stopped by a part that cannot serve (the database away or
    without its schema, Redis away), or None for any other error."""
    import sqlalchemy as sa

    from infra.db import is_unavailable
    from infra.store.base import StoreError
    from keys.errors import KeyStoreUnavailable

    obj = ctx.find_root().obj
    settings = getattr(obj, "settings", None) if obj is not None else None
    database = _redact(settings.database_url) if settings is not None else "the configured database"
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(error, StoreError) for error in chain):
        where = _redact(settings.redis_url) if settings is not None else "the configured Redis"
        return (f"Redis cannot be reached ({where}): check CEDULA_REDIS_URL (store.redis_url) and that "
                "Redis runs, then run the command again")
    unusable = next((error for error in chain if isinstance(error, KeyStoreUnavailable)), None)
    if unusable is not None:
        return unusable.sentence(_key_backend(settings))
    refused = _refused_connection(chain, database)
    if refused is not None:
        return refused
    if is_unavailable(exc):
        return (f"the database cannot be reached ({database}): check CEDULA_DATABASE_URL (database.url) "
                "and that the database server runs, then run the command again")
    if any(isinstance(error, sa.exc.DBAPIError) for error in chain) and (ahead := _schema_ahead(obj)):
        return str(ahead)  # a newer release migrated it: `cedula db upgrade` of this one cannot help
    if any(isinstance(error, sa.exc.DBAPIError) for error in chain) and _schema_behind(obj):
        return (f"the database ({database}) has no schema or an older one: run `cedula db upgrade`, "
                "then run the command again")
    if isinstance(exc, sa.exc.IntegrityError):
        # Two commands (or a command and a server) made the same change at once: the database
        # kept the other one and rolled this one back.
        return ("another change to the same thing was made at the same moment (by another command or a "
                "server) and was kept; this command's changes were undone: check the state it shows "
                "(for example `cedula pki status`, `cedula keys list`) and run it again only if still needed")
    return None


# A connection the PostgreSQL server refused (its FATAL line, which psycopg passes on; the server
# speaks English unless its lc_messages says otherwise): the server runs and answered, the URL's
# database, user or password is wrong. Each: the pattern, what to say after "the database server of URL".
_REFUSED_CONNECTION = (
    (re.compile(r'FATAL:\s+database "([^"\n]{1,63})" does not exist'),
     'answered that it has no database "{0}": create it (createdb {0}) or correct the database name in '
     "CEDULA_DATABASE_URL (database.url), then run `cedula db upgrade`"),
    (re.compile(r'FATAL:\s+role "([^"\n]{1,63})" does not exist'),
     'answered that it has no user "{0}": create it (createuser {0}) or correct the user name in '
     "CEDULA_DATABASE_URL (database.url), then run the command again"),
    (re.compile(r'FATAL:\s+password authentication failed for user "([^"\n]{1,63})"'),
     'refused the password of user "{0}": correct it in CEDULA_DATABASE_URL (database.url), then run the '
     "command again"),
)


def _refused_connection(chain: list[BaseException], database: str) -> str | None:
    """The sentence for a connection the database server refused (no such database or user, a
    wrong password), or None: "cannot be reached [...] check that the server runs" sent the
    operator looking for an outage when the server had answered."""
    for error in chain:
        for pattern, said in _REFUSED_CONNECTION:
            found = pattern.search(str(error))
            if found:
                return f"the database server of {database} {said.format(found[1])}"
    return None


def _key_backend(settings: Any) -> str:
    try:
        return str(settings["keys"]["backend"]) if settings is not None else ""
    except (KeyError, TypeError):
        return ""


def _schema_ahead(obj: Any) -> SchemaAhead | None:
    """The database migrated by a newer release (revisions this one does not have), or None."""
    from infra.db import SchemaAhead, get_db, newer_revisions

    try:
        newer = newer_revisions(get_db(obj.app))
    except Exception:  # the original error is raised instead
        return None
    return SchemaAhead(newer) if newer else None


def _schema_behind(obj: Any) -> bool:
    """True when the database answers but is not migrated to this version's schema."""
    from infra.db import get_db, pending_heads

    try:
        return bool(pending_heads(get_db(obj.app)))
    except Exception:  # the original error is raised instead
        return False


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url


@cli.command()
@click.option("--host", help="Address to bind (default: server.host).")
@click.option("--port", type=click.IntRange(*PORTS), help="Port to bind (default: server.port).")
@click.option("--workers", type=click.IntRange(1, MAX_WORKERS), help="Worker processes (default: server.workers).")
@click.option("--server", "server", type=click.Choice(["granian", "gunicorn"]), default="granian", show_default=True,
              help="WSGI server (docs/operations.md, Serving).")
@_pass_context
def serve(ctx: Context, host: str | None, port: int | None, workers: int | None, server: str) -> None:
    """Serve the provider (granian or gunicorn; more than one worker needs Redis)."""
    from idp.serve import ServeError, ServeFailed
    from idp.serve import serve as run_server

    settings = ctx.settings
    _check_components(settings)
    try:
        run_server(
            settings,
            host=host or settings.server.host,
            port=port if port is not None else settings.server.port,
            workers=workers or settings.server.workers,
            server=server,
        )
    except ServeError as exc:  # a setting that cannot work: exit 2 (docs/operations.md, Exit status)
        raise SettingRefused(str(exc)) from None
    except ServeFailed as exc:  # at run time (a port in use): exit 1
        raise click.ClickException(str(exc)) from None


def _check_components(settings: Any) -> None:
    """Build the app once in a forked child, so that a setting only a component checks (say
    `audit.seal_seconds`) stops `cedula serve` with its message, where it was set and exit
    status 2, instead of each worker dying with a traceback and being started again forever.
    A child, because this process forks the workers: it must not hold the app's database
    pools nor import the metrics client before the multiprocess folder is set. Any other
    failure is left to the workers, which log it as before."""
    import os

    from infra.config import refused_setting, where_set

    if not hasattr(os, "fork"):
        return
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report a refused setting, or what the operator must still do
        os.close(read)
        code = 0
        try:
            from idp.app import create_app

            os.write(write, _still_to_do(create_app(settings)).encode("utf-8", "replace"))
        except BaseException as exc:  # anything but a setting: the workers report it, with their traceback
            refused = refused_setting(settings, exc)
            if refused is not None:
                os.write(write, str(refused).encode("utf-8", "replace"))
                code = 3
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode("utf-8", "replace")
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 3:
        raise SettingRefused(where_set(settings, message))
    if message:  # what the operator must still do: a line of the log, and its advice
        import logging

        said, _, advice = message.partition("\n")
        logging.getLogger("idp.cli").warning(said, extra={"advice": advice})


def _still_to_do(app: Any) -> str:
    """"" when the service is complete; else what to log at start (its line, a line break, the
    advice): the imported civil register never loaded (the registrar desk refuses every
    enrolment, reclaim and in-person check until it is). A database away or not migrated says
    nothing here (the workers say it)."""
    from idp.civil_register.imported import IMPORT_ADVICE
    from idp.civil_register.services import register_empty

    try:
        with app.app_context():
            empty = register_empty(app)
    except Exception:
        return ""
    return ("the imported civil register is empty\nthe registrar desk refuses every enrolment, reclaim "
            f"and in-person check until you {IMPORT_ADVICE}") if empty else ""


@cli.command()
@click.option("--host", help="Address the provider binds (default: server.host).")
@click.option("--port", type=click.IntRange(*PORTS), help="Port of the provider (default: server.port).")
@_pass_context
def demo(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the provider with two demo agency portals (what `make run` does); prepares the
    database, signing keys and document PKI first, as `db upgrade`, `keys init` and `pki init`
    would (quick when they exist)."""
    from idp.demo import prepare_database, run_demo
    from keys.errors import KeyStoreError

    settings = ctx.settings
    prepare_database(settings)
    try:
        run_demo(ctx.app, host=host or settings.server.host,
                 port=port if port is not None else settings.server.port)
    except (RuntimeError, KeyStoreError) as exc:
        raise click.ClickException(str(exc)) from None


def main() -> None:
    """`cedula`: exit status 0 done, 1 failed, 2 a usage or configuration error (click's usage
    errors, `SettingRefused`); docs/operations.md, "Exit status"."""
    try:
        cli(standalone_mode=True)
    except ConfigError as exc:  # the settings' own error, wherever it was raised: the same status
        click.echo(f"Error: {exc}", err=True)
        sys.exit(SettingRefused.exit_code)


if __name__ == "__main__":
    main()
