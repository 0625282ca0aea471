"""The `cedula` command: serve, database, and the commands each package contributes."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any

import click
from flask import Flask

from infra.config import ConfigError, Settings, load_settings
from infra.ops.logging import configure as configure_logging

log = logging.getLogger("cedula")


class Context:
    """Settings are read once; the app is built only by commands that need it."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._app: Flask | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def app(self) -> Flask:
        if self._app is None:
            from idp.app import create_app

            self._app = create_app(self.settings)
        return self._app


pass_context = click.make_pass_decorator(Context, ensure=True)


def with_app(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run the command inside the application context (database, store, key store ready)."""

    @functools.wraps(fn)
    @pass_context
    def wrapper(ctx: Context, *args: Any, **kwargs: Any) -> Any:
        with ctx.app.app_context():
            return fn(*args, **kwargs)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cedula")
@click.pass_context
def cli(click_ctx: click.Context) -> None:
    """Cédula: citizen identity (OpenID Connect, passkeys) and e-signature provider."""
    click_ctx.ensure_object(Context)
    try:
        settings = click_ctx.obj.settings
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging(str(settings["logging"]["level"]), str(settings["logging"]["format"]))


@cli.group()
def db() -> None:
    """The relational database."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Create or migrate the schema to the newest version (safe to run again)."""
    from idp.schema import SCHEMA

    settings = ctx.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    SCHEMA.upgrade(settings.database_url)
    click.echo(f"database is up to date ({_redact(settings.database_url)})")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url


@cli.command()
@click.option("--host", help="Address to bind (default: server.host).")
@click.option("--port", type=int, help="Port to bind (default: server.port).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: server.workers).")
@pass_context
def serve(ctx: Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the provider (gunicorn; more than one worker needs Redis)."""
    from idp.serve import ServeError
    from idp.serve import serve as run_server

    settings = ctx.settings
    try:
        run_server(
            settings,
            host=host or str(settings["server"]["host"]),
            port=port if port is not None else int(settings["server"]["port"]),
            workers=workers or int(settings["server"]["workers"]),
        )
    except ServeError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.option("--host", help="Address the provider binds (default: server.host).")
@click.option("--port", type=int, help="Port of the provider (default: server.port).")
@pass_context
def demo(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the provider with two demo agency portals (what `make run` does)."""
    from idp.demo import run_demo

    settings = ctx.settings
    try:
        run_demo(ctx.app, host=host or str(settings["server"]["host"]),
                 port=port if port is not None else int(settings["server"]["port"]))
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None


def _register_package_commands() -> None:
    from clients.cli import clients as clients_group
    from clients.cli import commands as client_commands
    from idp.logout.cli import commands as logout_commands
    from keys.cli import commands as key_commands
    from signing.cli import commands as document_commands
    from signing.verify.cli import commands as verify_commands

    for command in (*key_commands(), *client_commands(), *logout_commands(), *verify_commands(),
                    *document_commands()):
        cli.add_command(command)
    from idp.oidc.cli import commands as oidc_commands

    for command in oidc_commands():  # cedula clients move-sector (it needs the provider's subjects)
        clients_group.add_command(command)
    from idp.assurance.cli import commands as assurance_commands

    for command in assurance_commands():  # registry import, registrar grant/revoke/list, mds load
        cli.add_command(command)
    from idp.wallet.cli import commands as wallet_commands

    for command in wallet_commands():  # cedula wallet trusted-issuers / status-lists / metadata
        cli.add_command(command)


_register_package_commands()
cli.add_command(import_module("idp.audit.cli").audit_group)  # cedula audit verify / checkpoint


def main() -> None:
    try:
        cli(standalone_mode=True)
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
