"""`cedula serve` refuses a setup that cannot work, saying what to change."""

from __future__ import annotations

from click.testing import CliRunner

from idp.cli import cli


def test_several_workers_need_redis(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--workers", "2"],
                                env={"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_REDIS_URL": ""})
    assert result.exit_code == 1
    assert "CEDULA_REDIS_URL" in result.output
    assert "--workers 2" in result.output
