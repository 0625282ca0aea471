"""`cedula serve` prepares prometheus_client's multiprocess folder before the workers start."""

from __future__ import annotations

from idp.serve import MULTIPROCESS_ENV, metrics_folder
from infra.config import load_settings


def test_a_fresh_folder_each_start_unless_the_operator_gives_one(tmp_path, monkeypatch):
    # Recorded first, so that the variable metrics_folder sets is removed afterwards (a delenv of
    # an absent variable records nothing: it leaked into later tests' servers).
    monkeypatch.setenv(MULTIPROCESS_ENV, "")
    monkeypatch.delenv(MULTIPROCESS_ENV)
    settings = load_settings({"server": {"data_dir": str(tmp_path)}})
    folder = metrics_folder(settings)
    assert folder == tmp_path / "metrics-multiproc" and folder.is_dir()
    assert (folder.stat().st_mode & 0o777) == 0o700
    (folder / "counter_123.db").write_bytes(b"an earlier run")
    monkeypatch.delenv(MULTIPROCESS_ENV)
    assert list(metrics_folder(settings).iterdir()) == []  # emptied: earlier counts are not this run's
    import os

    assert os.environ[MULTIPROCESS_ENV] == str(folder)
    given = tmp_path / "operator-folder"
    given.mkdir()
    (given / "counter_9.db").write_bytes(b"kept")
    monkeypatch.setenv(MULTIPROCESS_ENV, str(given))
    assert metrics_folder(settings) == given and (given / "counter_9.db").exists()
