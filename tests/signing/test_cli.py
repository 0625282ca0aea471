"""`cedula documents templates | issue | list | show`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.signing import samples
from tests.signing.conftest import AGENCY


@pytest.fixture
def run(pki_app):
    from idp.cli import Context, cli
    from signing.service import get_documents

    service = get_documents(pki_app)
    service.sealer._seals.clear()
    service.sealer._revocation.clear()
    ctx = Context(app=pki_app)

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), obj=ctx)

    return invoke


def test_templates_prints_every_schema_as_one_json_object(run):
    from signing.templates import schemas

    result = run("documents", "templates")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == json.loads(json.dumps(schemas()))


@pytest.fixture
def enrolled(pki_app):
    """The agency AGENCY registered, and a citizen enrolled: what `documents issue` needs."""
    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db
    from tests.idp.conftest import dui, enrol

    with get_db(pki_app).transaction() as session:
        register_client(session, metadata={"client_name": "Registro Civil",
                                           "redirect_uris": ["https://rc.example.gov/cb"]},
                        client_id=AGENCY, permissions=Permissions(operator=True),
                        fetch_sector=lambda uri: ["https://rc.example.gov/cb"])
    return enrol(pki_app.test_client(), national_id=dui(12345678))


def test_issue_list_show(run, enrolled, tmp_path):
    data = tmp_path / "data.json"
    data.write_text(json.dumps(samples.RESIDENCE), encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = run("documents", "issue", "--client", AGENCY, "--template", "residence",
                 "--national-id", enrolled.national_id, "--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    import re

    document_id = re.search(r"^issued (\S+):", result.output, re.M).group(1)
    listed = run("documents", "list", "--national-id", enrolled.national_id)
    assert document_id in listed.output
    output = run("documents", "show", document_id).output
    shown = json.loads(output[output.index("{\n"):])
    assert shown["subject"] == enrolled.citizen_id and shown["level"] == "B-LTA"


def test_issue_with_bad_data_names_the_field(run, tmp_path):
    data = tmp_path / "data.json"
    data.write_text("{}", encoding="utf-8")
    result = run("documents", "issue", "--client", AGENCY, "--template", "residence",
                 "--national-id", "00000000-0", "--data", str(data), "--out", str(tmp_path / "x"))
    assert result.exit_code != 0
    assert "no citizen is enrolled with national ID '00000000-0'" in result.output


def test_issue_with_data_the_template_refuses_names_every_bad_field(run, enrolled, tmp_path):
    data = tmp_path / "data.json"
    data.write_text(json.dumps({**samples.RESIDENCE, "address": 7}), encoding="utf-8")
    result = run("documents", "issue", "--client", AGENCY, "--template", "residence",
                 "--national-id", enrolled.national_id, "--data", str(data), "--out", str(tmp_path / "x"))
    assert result.exit_code == 1
    assert result.output == ("Error: The data does not fit the template “residence”: $.address: "
                             "must be a JSON object.\n")


def test_issue_naming_someone_else_is_refused(run, enrolled, tmp_path):
    """`cedula documents issue` takes the same path as the API: the holder is the register's."""
    data = tmp_path / "data.json"
    data.write_text(json.dumps({**samples.RESIDENCE, "full_name": "Pedro Gómez Ruiz"}), encoding="utf-8")
    result = run("documents", "issue", "--client", AGENCY, "--template", "residence",
                 "--national-id", enrolled.national_id, "--data", str(data), "--out", str(tmp_path / "x"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: The data does not fit the template “residence”: $.full_name: "
                                    "does not match the register"), result.output
