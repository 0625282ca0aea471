"""`cedula` commands when the database is away or not migrated, or Redis is away: one sentence
naming the part, the setting and what to do, exit status 1, never a traceback nor a password."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from tests.conftest import TEST_MASTER_KEY


def _app(tmp_path, **database):
    from idp import create_app

    return create_app({"server": {"data_dir": str(tmp_path)}, "keys": {"master_key": TEST_MASTER_KEY},
                       "audit": {"seal_seconds": 0}, "logout": {"background": False}, "notify": {"background": False},
                       "documents": {"archive_renew_hours": 0}, "database": database})


def _run(app, *args: str):
    from idp.cli import Context, cli

    return CliRunner().invoke(cli, list(args), obj=Context(app=app))


@pytest.mark.parametrize("command", [("audit", "verify"), ("operators", "list"), ("clients", "list")])
def test_a_database_without_its_schema_says_run_db_upgrade(tmp_path, command):
    result = _run(_app(tmp_path), *command)
    assert result.exit_code == 1, result.output
    assert "run `cedula db upgrade`" in result.output
    assert isinstance(result.exception, SystemExit)  # a message, not an exception


def test_an_unreachable_database_names_the_setting_not_the_password(tmp_path):
    app = _app(tmp_path, url="postgresql+psycopg://cedula:s3cret@127.0.0.1:1/cedula", connect_timeout_seconds=2)
    result = _run(app, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert "the database cannot be reached" in result.output and "CEDULA_DATABASE_URL" in result.output
    assert "s3cret" not in result.output and "cedula:***@127.0.0.1:1" in result.output
    assert isinstance(result.exception, SystemExit)


def _raising(tmp_path, error: Exception):
    """`cedula` running a command whose work raises `error` (the command is added, then removed)."""
    from idp.cli import cli

    @click.command("raising")
    def raising() -> None:
        raise error

    cli.add_command(raising)
    try:
        return _run(_app(tmp_path), "raising")
    finally:
        cli.commands.pop("raising")


def test_redis_away_names_the_setting(tmp_path):
    from infra.store.base import StoreError

    result = _raising(tmp_path, StoreError("Redis is unavailable: Error 111 connecting to 127.0.0.1:1"))
    assert result.exit_code == 1
    assert "Redis cannot be reached" in result.output and "CEDULA_REDIS_URL" in result.output
    assert isinstance(result.exception, SystemExit)


def test_other_errors_are_not_disguised_as_outages(tmp_path):
    result = _raising(tmp_path, ValueError("a bug"))
    assert isinstance(result.exception, ValueError)


def test_a_command_that_lost_a_race_says_so(tmp_path):
    """Two `cedula pki renew tsa` at once: the database keeps one; the other ends with a
    sentence, not the IntegrityError's traceback."""
    import sqlalchemy as sa

    from idp.cli import cli

    @click.command("racing")
    def racing() -> None:
        raise sa.exc.IntegrityError("INSERT INTO keys_certificate ...", {}, Exception(
            "UNIQUE constraint failed: keys_certificate.name"))

    from idp.schema import SCHEMA

    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    SCHEMA.upgrade(url)
    cli.add_command(racing)
    try:
        result = _run(_app(tmp_path, url=url), "racing")
    finally:
        cli.commands.pop("racing")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "made at the same moment" in result.output and "INSERT" not in result.output


def _said(result, sentence: str) -> bool:
    return f"{sentence} (" in result.output


def test_db_upgrade_says_what_it_did(tmp_path):
    """`cedula db upgrade` names what it did: a new schema, a migration, or nothing (it said
    "database is up to date" in all three cases, so an operator could not tell a migration ran)."""
    import sqlalchemy as sa

    from infra.config import get_settings

    app = _app(tmp_path)
    first = _run(app, "db", "upgrade")
    assert first.exit_code == 0, first.output
    # (the app's log lines may come first on the same stream: the CLI's own line is looked for)
    assert _said(first, "database created at the newest schema"), first.output
    again = _run(app, "db", "upgrade")
    assert _said(again, "database already at the newest schema: nothing to do"), again.output
    engine = sa.create_engine(get_settings(app).database_url)
    with engine.begin() as conn:  # one package one revision back
        conn.execute(sa.text("ALTER TABLE keys_certificate DROP COLUMN invalidity_date"))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'keys_0001' "
                             "WHERE version_num = 'keys_0002'"))
    engine.dispose()
    migrated = _run(app, "db", "upgrade")
    assert migrated.exit_code == 0, migrated.output
    assert _said(migrated, "database migrated to the newest schema"), migrated.output


def test_the_documents_warm_up_with_the_database_away_logs_one_short_line_without_the_drivers_text(tmp_path,
                                                                                                   caplog):
    """Every command printed "documents warm-up skipped" with the whole driver error (host,
    port, user, the server's own words) at INFO."""
    import logging

    from signing.service import get_documents

    app = _app(tmp_path, url="postgresql+psycopg://cedula:s3cret@127.0.0.1:1/cedula", connect_timeout_seconds=2)
    with caplog.at_level(logging.INFO, logger="signing.service"):
        get_documents(app).warm_up_keys()
    skipped = [r for r in caplog.records if r.getMessage() == "documents warm-up skipped"]
    assert skipped  # this call's line (the app's own warm-up thread may have logged one too)
    for record in skipped:
        assert record.reason == "the database cannot be reached"


def _refused_by_the_server(tmp_path, fatal: str):
    """`cedula` running a command whose connection the PostgreSQL server refused with `fatal`
    (psycopg's text of a refused connection: the server runs and answered)."""
    import psycopg
    import sqlalchemy as sa

    driver = psycopg.OperationalError(f'connection failed: connection to server at "127.0.0.1", port 5432 '
                                      f"failed: FATAL:  {fatal}")
    return _raising(tmp_path, sa.exc.OperationalError(None, None, driver))


@pytest.mark.parametrize(("fatal", "said"), [
    ('database "cedula" does not exist',
     'answered that it has no database "cedula": create it (createdb cedula) or '
     "correct the database name in CEDULA_DATABASE_URL (database.url), then run `cedula db upgrade`"),
    ('role "cedula" does not exist',
     'answered that it has no user "cedula": create it (createuser cedula) or '
     "correct the user name in CEDULA_DATABASE_URL (database.url), then run the command again"),
    ('password authentication failed for user "cedula"',
     'refused the password of user "cedula": correct it in CEDULA_DATABASE_URL '
     "(database.url), then run the command again"),
], ids=["no-database", "no-user", "wrong-password"])
def test_a_server_that_refuses_the_connection_says_what_to_correct(tmp_path, fatal, said):
    """operator7: a database that does not exist, a user that does not exist or a wrong password
    were all "the database cannot be reached [...] check [...] that the database server runs":
    the server runs (it answered), and the operator looked for an outage that was not there."""
    result = _refused_by_the_server(tmp_path, fatal)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    where = f"sqlite:///{tmp_path / 'cedula.db'}"  # the URL of the app run (the error is made up)
    assert f"Error: the database server of {where} {said}\n" in result.output, result.output
    assert "cannot be reached" not in result.output


def test_a_database_the_server_does_not_have(tmp_path):
    """The same against the PostgreSQL server of the tests: a name it has no database for."""
    import psycopg

    from tests.support.parts import POSTGRES_ADMIN_URL, missing

    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=30).close()
    except psycopg.OperationalError as exc:
        missing(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    result = _run(_app(tmp_path, url=f"{base}/cedula_operator7_none"), "clients", "list")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert ('/cedula_operator7_none answered that it has no database "cedula_operator7_none": create it '
            "(createdb cedula_operator7_none)") in result.output, result.output
