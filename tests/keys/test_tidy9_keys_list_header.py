"""`cedula keys list` opens with a header line naming its columns (it printed the keys bare),
the columns aligned under it."""

from __future__ import annotations

from click.testing import CliRunner

from idp.cli import Context, cli


def test_keys_list_prints_a_header_line_over_aligned_columns(fresh_app):
    runner = CliRunner()
    assert runner.invoke(cli, ["keys", "init"], obj=Context(app=fresh_app)).exit_code == 0
    result = runner.invoke(cli, ["keys", "list"], obj=Context(app=fresh_app))
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == ["ALG", "KID", "STATE", "ACTIVE", "FROM", "LEAVES", "JWKS"]
    assert rows and all(row.split()[2] in ("active", "next", "retired") for row in rows)
    for column in ("KID", "STATE", "ACTIVE FROM", "LEAVES JWKS"):  # each value starts under its name
        start = header.index(column)
        assert all(row[start - 2:start] == "  " and row[start] != " " for row in rows), (column, result.output)
