"""A database a newer release migrated (an operator rolled the code back after `cedula db upgrade`,
or started an older node against it): `/readyz` said "run `cedula db upgrade`", and that command
stopped with Alembic's traceback ("Can't locate revision identified by ..."). Both now say what
the database is at and what to do (run the newer release, or restore the backup taken before
its upgrade); the upgrade exits 1 and changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from tests.conftest import TEST_MASTER_KEY

NEWER = "idp_passkeys_9999"


def _settings(tmp_path):
    from infra.config import load_settings

    return load_settings({"keys": {"master_key": TEST_MASTER_KEY}},
                         environ={"CEDULA_DATA_DIR": str(tmp_path)})


def _migrated_by_a_newer_release(settings) -> set[str]:
    """The database at this release's newest schema, then one package one revision further."""
    from idp.schema import SCHEMA

    SCHEMA.upgrade(settings.database_url)
    engine = sa.create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :newer "
                             "WHERE version_num LIKE 'idp_passkeys_%'"), {"newer": NEWER})
        revisions = set(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
    engine.dispose()
    assert NEWER in revisions
    return revisions


def test_db_upgrade_says_a_newer_release_migrated_the_database(tmp_path):
    from idp.cli import Context, cli

    settings = _settings(tmp_path)
    before = _migrated_by_a_newer_release(settings)
    result = CliRunner().invoke(cli, ["db", "upgrade"], obj=Context(settings=settings))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # a message, not an exception
    assert result.output.startswith("Error: the database ")
    assert NEWER in result.output and "newer release" in result.output
    assert "restore the backup" in result.output
    from idp.schema import SCHEMA

    assert SCHEMA.current(settings.database_url) == before  # nothing changed


def test_readyz_does_not_send_the_operator_to_db_upgrade(tmp_path):
    from idp import create_app

    settings = _settings(tmp_path)
    _migrated_by_a_newer_release(settings)
    app = create_app({"server": {"data_dir": str(tmp_path)}, "keys": {"master_key": TEST_MASTER_KEY},
                      "audit": {"seal_seconds": 0}, "logout": {"background": False},
                      "notify": {"background": False}, "documents": {"archive_renew_hours": 0}})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    database = response.get_json()["checks"]["database"]
    assert database["status"] == "fail"
    assert "cedula db upgrade" not in database["detail"]
    assert "newer release" in database["detail"]


def _renamed_by_a_newer_release(tmp_path):
    """A data folder a newer release migrated, which renamed a table this release reads."""
    settings = _settings(tmp_path)
    _migrated_by_a_newer_release(settings)
    engine = sa.create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE clients RENAME TO agencies"))
    engine.dispose()
    return settings

def test_a_command_stopped_by_the_newer_schema_does_not_send_the_operator_to_db_upgrade(tmp_path):
    """A newer release renamed a table this one reads: the command stopped by it said the
    database "has no schema or an older one: run `cedula db upgrade`"."""
    from idp.cli import Context, cli

    settings = _renamed_by_a_newer_release(tmp_path)
    result = CliRunner().invoke(cli, ["clients", "list"], obj=Context(settings=settings))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "cedula db upgrade`, then" not in result.output
    assert "newer release" in result.output and NEWER in result.output


def test_a_request_stopped_by_the_newer_schema_logs_what_to_do(tmp_path, caplog):
    """The 503's log line said "database schema older than this version", with the action "run
    `cedula db upgrade` with this version", which this version cannot do."""
    import base64
    import logging

    from idp import create_app

    _renamed_by_a_newer_release(tmp_path)
    app = create_app({"server": {"data_dir": str(tmp_path)}, "keys": {"master_key": TEST_MASTER_KEY},
                      "audit": {"seal_seconds": 0}, "logout": {"background": False},
                      "notify": {"background": False}, "documents": {"archive_renew_hours": 0}})
    with caplog.at_level(logging.WARNING):
        response = app.test_client().post("/introspect", data={"token": "x"}, headers={
            "Authorization": "Basic " + base64.b64encode(b"some-client:secret").decode()})
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    lines = [r for r in caplog.records if getattr(r, "action", None) and "schema" in r.getMessage()]
    assert lines, [r.getMessage() for r in caplog.records]
    for record in lines:
        assert "newer release" in record.getMessage(), record.getMessage()
        assert "cedula db upgrade` with this version" not in record.action
