"""`cedula verify`'s verification without the web app (`signing.verify.command`): the same
report as the app's `VerificationService`, what it needs of the database read with plain SQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.config import get_settings
from infra.db import get_db
from signing.verify import document_revocation
from signing.verify.command import CommandVerification, sqlite_file
from signing.verify.service import get_verification
from tests.signing.conftest import AGENCY
from tests.signing.verify import forgeries, samples
from tests.signing.verify.issued import issue_residence

ROOT = Path(__file__).resolve().parents[3]


def _command(app) -> CommandVerification:
    from clients.registry.names import agency_name_in_sql

    return CommandVerification(get_settings(app), database=lambda: get_db(app),
                               agency_names=agency_name_in_sql)


def _as_json(report, language="en"):
    body = report.as_json(language)
    body.pop("validated_at")
    return body


def _same(command, service, data):
    assert _as_json(command.verify(data)) == _as_json(service.verify(data))


def _register_agency(app) -> None:
    from clients.registry import Permissions
    from clients.registry.services import register_client

    with get_db(app).transaction() as session:
        register_client(session, metadata={"client_name": "Registro Civil",
                                           "redirect_uris": ["https://rc.example.gov/cb"]},
                        client_id=AGENCY, permissions=Permissions(operator=True),
                        fetch_sector=lambda uri: ["https://rc.example.gov/cb"])


def test_the_same_report_as_the_service(pki_app, issued):
    document, pdf = issued
    _register_agency(pki_app)
    command = _command(pki_app)
    service = get_verification(pki_app)
    appended = forgeries.incremental_saving(pdf)  # found by the revision the service issued
    for data in (pdf, appended, forgeries.info_title(pdf), samples.blank_pdf()):
        _same(command, service, data)
    found = command.verify(pdf).document
    assert (found.csv, found.matched_by, found.issuer) == (document.csv, "hash", "Registro Civil")
    assert command.verify(appended).document.matched_by == "revision"


def test_revoked_and_superseded_documents(pki_app, documents, citizen):
    first, first_pdf = issue_residence(documents, citizen)
    second, second_pdf = issue_residence(documents, citizen)
    now = datetime.now(UTC)
    document_revocation.supersede(get_db(pki_app), document_id=first.id, replacement_id=second.id,
                                  reason="Datos actualizados", now=now)
    document_revocation.revoke(get_db(pki_app), document_id=second.id, reason="Emitido por error",
                               now=now)
    command = _command(pki_app)
    service = get_verification(pki_app)
    _same(command, service, first_pdf)
    _same(command, service, second_pdf)
    superseded = command.verify(first_pdf)
    assert (superseded.document_status, superseded.document.superseded_by) == ("superseded", second.csv)
    assert command.verify(second_pdf).document_status == "revoked"
    assert command.verify(second_pdf).document.issuer == AGENCY  # an agency no longer registered


def test_an_issuing_crl_due_for_reissue_is_reissued_by_the_pki(pki_app, issued):
    """Past half its validity the issuing CA's CRL is reissued (`keys.pki.Pki.crl`): the
    command asks the PKI then, as the service does, instead of using the stored one."""
    _, pdf = issued
    now = datetime.now(UTC)
    crl = sa.table("keys_crl", sa.column("ca"), sa.column("number"), sa.column("this_update"),
                   sa.column("next_update"))
    with get_db(pki_app).engine.begin() as connection:
        connection.execute(sa.update(crl).where(crl.c.ca == "issuing")
                           .values(this_update=now - timedelta(hours=20),
                                   next_update=now + timedelta(hours=4)))
        before = connection.scalar(sa.select(crl.c.number).where(crl.c.ca == "issuing"))
    command = _command(pki_app)
    assert command.verify(pdf).indication.value == "TOTAL-PASSED"
    with get_db(pki_app).engine.connect() as connection:
        assert connection.scalar(sa.select(crl.c.number).where(crl.c.ca == "issuing")) == before + 1


def test_before_pki_init_there_is_no_own_evidence(fresh_app):
    evidence = _command(fresh_app).evidence(datetime.now(UTC))
    assert (evidence.roots, evidence.certificates, evidence.crls) == ((), (), ())


@pytest.mark.parametrize(("url", "path"), [
    ("sqlite:////var/lib/cedula/cedula.db", "/var/lib/cedula/cedula.db"),
    ("sqlite:///data/cedula.db", "data/cedula.db"),
    ("sqlite://", None), ("sqlite:///:memory:", None), ("sqlite:///x.db?timeout=5", None),
    ("sqlite+pysqlite:///x.db", None), ("postgresql+psycopg://cedula@db/cedula", None),
])
def test_only_a_plain_sqlite_file_is_read_without_sqlalchemy(url, path):
    assert sqlite_file(url) == (Path(path) if path else None)


def test_an_unreadable_sqlite_file_is_left_to_sqlalchemy(pki_app, issued, tmp_path):
    """A file `sqlite3` cannot open read-only (here: one that is not there) is read through
    SQLAlchemy instead, from then on: the same report."""
    command = _command(pki_app)
    command.reader.path = tmp_path / "missing.db"
    _, pdf = issued
    _same(command, get_verification(pki_app), pdf)
    assert command.reader.path is None


def test_the_command_loads_neither_flask_nor_the_orm(pki_app, issued, tmp_path):
    """`cedula verify` on an issued document in a new process: exit 0, the document found,
    and on the embedded database neither Flask nor SQLAlchemy imported."""
    document, pdf = issued
    settings = get_settings(pki_app)
    path = tmp_path / "issued.pdf"
    path.write_bytes(pdf)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CEDULA_DATA_DIR": str(settings.data_dir),
           "CEDULA_DATABASE_URL": settings.database_url, "CEDULA_REDIS_URL": "",
           "CEDULA_ISSUER": settings.issuer}
    out = subprocess.run(
        [sys.executable, "-c",
         "import sys\n"
         "from idp.cli import main\n"
         f"sys.argv = ['cedula', 'verify', {str(path)!r}]\n"
         "try:\n"
         "    main()\n"
         "except SystemExit as exit:\n"
         "    print('exit', exit.code)\n"
         "import gc\n"
         "print('frozen', gc.get_freeze_count() > 0, 'collecting', gc.isenabled())\n"
         "print(sorted(m for m in ('flask', 'werkzeug', 'sqlalchemy', 'joserfc', 'keys.service',"
         " 'idp.app', 'signing.pades') if m in sys.modules))\n"],
        env=env, check=True, capture_output=True, text=True, timeout=120).stdout
    assert "TOTAL-PASSED" in out and document.csv in out and "exit 0" in out
    # what the imports made is kept out of the collector's way; the file was verified with it on
    assert "frozen True collecting True" in out
    loaded = out.strip().splitlines()[-1]
    if sqlite_file(settings.database_url) is not None:
        assert loaded == "[]"
    else:  # another database is read through SQLAlchemy; still no Flask, nor the key service
        assert not {"'flask'", "'werkzeug'", "'keys.service'"} & set(loaded.strip("[]").split(", "))


def test_in_process_the_collector_is_left_as_it_was(pki_app):
    """Built inside another process (here the tests), the command's verification pauses the
    garbage collector only while it imports, and freezes nothing."""
    import gc

    from idp.cli_verify import VerifyContext

    frozen = gc.get_freeze_count()
    VerifyContext(get_settings(pki_app)).verification()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


@pytest.mark.parametrize("database", ["empty-sqlite", "unreachable-postgresql"])
def test_a_database_it_cannot_read_is_one_sentence_and_exit_5(pki_app, issued, tmp_path, database):
    """`cedula verify` against a database without Cédula's tables (never upgraded) or one that
    does not answer: nothing verified (exit 5) and a sentence saying what to do, never a
    traceback."""
    _, pdf = issued
    path = tmp_path / "issued.pdf"
    path.write_bytes(pdf)
    if database == "empty-sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        sa.create_engine(url).connect().close()  # the file exists, without tables
    else:
        url = "postgresql+psycopg://cedula@127.0.0.1:1/cedula?connect_timeout=2"
    settings = get_settings(pki_app)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CEDULA_DATA_DIR": str(settings.data_dir),
           "CEDULA_DATABASE_URL": url, "CEDULA_REDIS_URL": "", "CEDULA_ISSUER": settings.issuer}
    out = subprocess.run([sys.executable, "-m", "idp.cli", "verify", str(path)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 5, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and "sqlalchemy" not in out.stderr.lower(), out.stderr
    assert out.stderr.startswith("Error: ") and "cedula db upgrade" in out.stderr, out.stderr
