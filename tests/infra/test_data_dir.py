"""A data folder that cannot hold the provider's files (it is a file; secret.key or metrics.token
is a folder or unreadable): one line naming the setting and what to do, not a traceback."""

from __future__ import annotations

import pytest

from infra.config import ConfigError, load_settings
from infra.ops.metrics import metrics_token
from infra.secrets import master_secret


def test_a_data_folder_that_is_a_file_is_refused_naming_server_data_dir(tmp_path):
    afile = tmp_path / "instance"
    afile.write_text("not a folder", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^server\.data_dir '.*instance' holds no usable secret\.key "
                                          r"\(File exists: .*instance\): make it a folder"):
        master_secret(load_settings({"server": {"data_dir": str(afile)}}))


def test_a_secret_key_that_cannot_be_read_is_refused_naming_server_data_dir(tmp_path):
    (tmp_path / "secret.key").mkdir()
    with pytest.raises(ConfigError, match=r"^server\.data_dir .* \(Is a directory: .*secret\.key\).*"
                                          r"CEDULA_SERVER_SECRET_KEY$"):
        master_secret(load_settings({"server": {"data_dir": str(tmp_path)}}))


def test_a_metrics_token_file_that_cannot_be_read_is_refused_naming_metrics_token(tmp_path):
    (tmp_path / "metrics.token").mkdir()
    with pytest.raises(ConfigError, match=r"^metrics\.token is empty and .*metrics\.token cannot be read or made "
                                          r"\(Is a directory: .*\).*CEDULA_METRICS_TOKEN$"):
        metrics_token(load_settings({"server": {"data_dir": str(tmp_path)}}))


def test_a_command_stops_with_the_one_line(tmp_path):
    from click.testing import CliRunner

    from idp.cli import cli

    (tmp_path / "secret.key").mkdir()
    result = CliRunner().invoke(cli, ["operators", "list"], env={"CEDULA_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert result.output.strip().splitlines() == [
        f"Error: server.data_dir '{tmp_path}' holds no usable secret.key (Is a directory: {tmp_path}/secret.key): "
        "make it a folder this user can write, with secret.key a file it can read (mode 0600), or set "
        "CEDULA_SERVER_SECRET_KEY (set in the environment variable CEDULA_DATA_DIR)"]
