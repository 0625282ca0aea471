"""The imported civil register: CSV import (with the contacts of record), matching rules,
and a match recorded as evidence that leaves the identity at level low."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from idp.citizens.national_id import load_scheme
from idp.civil_register.base import RegisterQuery, fold
from idp.civil_register.errors import ImportRefused
from idp.civil_register.imported import ImportedRegister, import_csv
from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import csrf, dui, enrol

SCHEME = load_scheme("sv-dui")
CONTACTS_CSV = ("national_id,given_name,family_name,birthdate,email,phone,postal_address\n"
                f"{dui(4892613)},ANA MARIA,Lopez  Perez,1990-05-17,Ana.Lopez@CORREO.example,"
                '+503 7000-0001,"Calle El Mirador 12\n San Salvador"\n'
                f'{dui(1234567)},José,Álvarez,1985-01-31,,,"Avenida Norte 3\nSanta Ana"\n')
NOW = datetime.now(UTC)
CSV = ("national_id,given_name,family_name,birthdate\n"
       f"{dui(4892613).replace('-', '')},ANA MARIA,Lopez  Perez,1990-05-17\n"
       f" {dui(1234567)} ,José,Álvarez,1985-01-31\n")


def _import(app, data: str, **kwargs):
    from infra.db import get_db

    with get_db(app).transaction() as session:
        return import_csv(session, data=data.encode(), scheme=SCHEME, now=NOW, **kwargs)


def _match(app, **overrides):
    from infra.db import get_db

    query = dict(national_id_scheme="sv-dui", national_id=dui(4892613), given_name="Ana María",
                 family_name="López Pérez", birthdate=date(1990, 5, 17))
    query.update(overrides)
    with get_db(app).read() as session:
        return ImportedRegister().match(session, query=RegisterQuery(**query))


def test_fold_ignores_case_accents_and_spaces():
    assert fold("  José  ÁLVAREZ ") == "jose alvarez" == fold("jose alvarez")
    assert fold("Núñez") == "nunez" and fold("Nuñez") != fold("Nunes")


def test_import_normalises_ids_and_matches(fresh_app):
    result = _import(fresh_app, CSV)
    assert (result.rows, result.inserted, result.updated, result.removed) == (2, 2, 0, 0)
    assert _match(fresh_app).outcome == "match"
    assert _match(fresh_app, national_id=dui(7654321)).outcome == "not_found"
    mismatch = _match(fresh_app, birthdate=date(1990, 5, 18), given_name="Ana")
    assert (mismatch.outcome, mismatch.fields) == ("mismatch", ("given_name", "birthdate"))
    again = _import(fresh_app, CSV.replace("1985-01-31", "1985-02-01"))
    assert (again.inserted, again.updated) == (0, 1)
    replaced = _import(fresh_app, CSV.splitlines()[0] + "\n" + CSV.splitlines()[1] + "\n", replace=True)
    assert replaced.removed == 1


@pytest.mark.parametrize(("text", "problem"), [
    ("id,name\n1,2\n", "line 1: the header must be national_id,given_name,family_name,birthdate, "
                       "optionally followed by any of email,phone,postal_address; got id,name"),
    ("national_id,given_name,family_name,birthdate\n123,Ana,López,1990-05-17\n",
     "line 2: national_id: sv-dui:"),
    (f"national_id,given_name,family_name,birthdate\n{dui(1)},Ana,López,17/05/1990\n",
     "line 2: birthdate must be YYYY-MM-DD"),
    (f"national_id,given_name,family_name,birthdate\n{dui(1)},Ana,López,1990-05-17\n"
     f"{dui(1)},Eva,Ruiz,1991-01-01\n", "line 3: national_id repeats line 2"),
    (f"national_id,given_name,family_name,birthdate\n{dui(1)},,López,1990-05-17\n",
     "line 2: given_name and family_name need 1 to 100 characters"),
])
def test_a_bad_row_refuses_the_whole_file(fresh_app, text, problem):
    from idp.civil_register.models import RegisterRecord
    from infra.db import get_db

    good = f"{dui(2)},Eva,Ruiz,1991-01-01\n"
    with pytest.raises(ImportRefused) as info:
        _import(fresh_app, text + (good if text.startswith("national_id") else ""))
    assert str(info.value).startswith("nothing was imported: " + problem)
    with get_db(fresh_app).read() as session:
        assert session.query(RegisterRecord).count() == 0


def test_a_register_match_without_the_channel_code_stays_low(client, fresh_app):
    """Issue #12, reproduction 2: knowing what is printed on the ID card (DUI, names, birth
    date) used to give level substantial. A match is evidence, not proof of possession."""
    from idp.assurance.services import assess, evidence_of
    from infra.db import get_db

    _import(fresh_app, CONTACTS_CSV)
    citizen = enrol(client)  # Ana María López Pérez, as in the register (other accents and case)
    assert proofing(fresh_app, citizen.citizen_id) == ("low", "register_match")
    with get_db(fresh_app).read() as session:
        assert [(e.kind, e.source) for e in evidence_of(session, uuid.UUID(citizen.citizen_id))] == \
            [("register_match", "imported")]
        level = assess(session, citizen_id=citizen.citizen_id, credential_id=citizen.key.credential_id,
                       amr=["hwk", "user", "mfa"]).level
    assert level == "low"
    page = client.get("/account/assurance").get_data(as_text=True)
    assert 'id="proofing-level">bajo (coinciden con el registro civil, sin código recibido)' in page
    assert "Sus datos coinciden con el registro civil (" in page  # the evidence, shown
    assert 'id="code-request"' in page and "A•••@correo.example" in page  # masked, never whole
    assert "Ana.Lopez@correo.example" not in page


def test_citizen_triggered_check(client, fresh_app):
    # A register that holds someone else only: "not found" is an answer about her (an empty one
    # says nothing, test_impostor14_register_not_loaded).
    _import(fresh_app, CSV.splitlines()[0] + "\n" + CSV.splitlines()[2] + "\n")
    citizen = enrol(client)
    assert proofing(fresh_app, citizen.citizen_id) == ("low", "self_asserted")
    page = client.get("/account/assurance").get_data(as_text=True)
    assert 'id="register-check"' in page and 'id="proofing-level">bajo' in page
    assert 'id="evidence">Nada todavía' in page
    token = csrf(client, "/account/assurance")
    response = client.post("/account/assurance/register-check", data={"csrf_token": token})
    assert response.headers["Location"] == "/account/assurance?register=not_found"
    _import(fresh_app, CSV)
    response = client.post("/account/assurance/register-check", data={"csrf_token": token})
    assert response.headers["Location"] == "/account/assurance?register=match"
    assert proofing(fresh_app, citizen.citizen_id) == ("low", "register_match")
    page = client.get("/account/assurance?register=match").get_data(as_text=True)
    assert 'id="register-check"' not in page and "pida un código" in page
    assert 'id="no-contacts"' in page  # this register extract has no contacts for her


def test_import_with_contacts(fresh_app):
    from idp.civil_register.models import RegisterRecord
    from infra.db import get_db

    result = _import(fresh_app, CONTACTS_CSV)
    assert (result.rows, result.inserted) == (2, 2)
    with get_db(fresh_app).read() as session:
        ana = session.query(RegisterRecord).filter_by(national_id=dui(4892613)).one()
        jose = session.query(RegisterRecord).filter_by(national_id=dui(1234567)).one()
    assert (ana.email, ana.phone, ana.postal_address) == (
        "Ana.Lopez@correo.example", "+50370000001", "Calle El Mirador 12\nSan Salvador")
    assert (jose.email, jose.phone, jose.postal_address) == (None, None, "Avenida Norte 3\nSanta Ana")
    again = _import(fresh_app, CSV)  # no contact columns: the contacts stay
    assert (again.inserted, again.updated) == (0, 0)
    with get_db(fresh_app).read() as session:
        assert session.query(RegisterRecord).filter_by(national_id=dui(4892613)).one().email == \
            "Ana.Lopez@correo.example"


@pytest.mark.parametrize(("row", "problem"), [
    ("x@", "line 2: email is not an e-mail address"),
    ("ana@correo.example,12", "line 2: phone must be 7 to 15 digits, optionally after +"),
])
def test_bad_contacts_refuse_the_file(fresh_app, row, problem):
    header = "national_id,given_name,family_name,birthdate,email,phone\n"
    values = row.split(",") + [""] * (2 - len(row.split(",")))
    with pytest.raises(ImportRefused) as info:
        _import(fresh_app, header + f"{dui(1)},Ana,López,1990-05-17,{','.join(values)}\n")
    assert str(info.value) == "nothing was imported: " + problem


def test_register_check_needs_csrf_and_a_session(client):
    assert client.post("/account/assurance/register-check").status_code in (302, 400, 401)
    enrol(client)
    assert client.post("/account/assurance/register-check").status_code == 400


def test_cli_import(app, tmp_path):
    from click.testing import CliRunner

    from idp.cli import Context, cli
    from tests.conftest import empty_tables

    empty_tables(app)
    context = Context(app=app)
    path = tmp_path / "register.csv"
    path.write_text(CSV, encoding="utf-8")
    result = CliRunner().invoke(cli, ["registry", "import", str(path)], obj=context)
    assert result.exit_code == 0 and "2 records read: 2 new, 0 changed, 0 removed" in result.output
    path.write_text("national_id\n1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["registry", "import", str(path)], obj=context)
    assert result.exit_code == 1 and "nothing was imported: line 1: the header must be" in result.output
    empty_tables(app)
