"""`cedula operators grant|revoke|list`."""

from __future__ import annotations

from click.testing import CliRunner

from tests.idp.conftest import dui, enrol


def test_cli_grant_revoke_list(oidc_app, client):
    from idp.cli import Context, cli

    citizen = enrol(client)
    context = Context(app=oidc_app)
    runner = CliRunner()
    result = runner.invoke(cli, ["operators", "list"], obj=context)
    assert result.exit_code == 0
    # The first operator of a deployment is told how to make one (it said only "no operators").
    assert ("no operators: make one with `cedula operators grant NATIONAL_ID` (an enrolled citizen; "
            "the console asks them for level high)") in result.output.splitlines()
    result = runner.invoke(cli, ["operators", "grant", citizen.national_id], obj=context)
    assert result.exit_code == 0, result.output
    assert "is an operator" in result.output
    result = runner.invoke(cli, ["operators", "list"], obj=context)
    assert any(line.startswith(citizen.national_id + "\t") and "\tactive\tgranted by operator:" in line
               for line in result.output.splitlines())  # JSON log lines may come first
    result = runner.invoke(cli, ["operators", "revoke", citizen.national_id], obj=context)
    assert result.exit_code == 0 and "is no longer an operator" in result.output
    result = runner.invoke(cli, ["operators", "revoke", citizen.national_id], obj=context)
    assert result.exit_code == 1 and "this citizen is not an operator" in result.output
    result = runner.invoke(cli, ["operators", "list", "--all"], obj=context)
    assert "\trevoked\t" in result.output
    result = runner.invoke(cli, ["operators", "grant", dui(99999999)], obj=context)
    assert result.exit_code == 1 and "no citizen is enrolled with this national ID" in result.output
    from idp.registrar.models import RegistrarAuditEntry
    from infra.db import get_db

    with get_db(oidc_app).read() as session:
        assert [e.action for e in session.query(RegistrarAuditEntry).order_by(RegistrarAuditEntry.id)] == [
            "operator.granted", "operator.revoked"]
