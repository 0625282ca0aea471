"""The backup and restore of the embedded default, run verbatim from docs/operations.md
("Backups"): the copy holds everything the data folder needs to serve as before, and the
restored folder is private. The metrics token was left out: a restore made a new one and every
Prometheus scrape was refused (401) until its credentials file was changed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _documented() -> tuple[str, str]:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text[text.index("## Backups"):]
    backup = re.search(r"Embedded default, while it runs.*?```sh\n(.*?)```", section, re.S)
    restore = re.search(r"`(mkdir -m 700 instance &&\s[^`]+)`", section)
    assert backup and restore, "the Backups section lost its commands"
    return backup[1], restore[1]


def test_the_documented_backup_and_restore_keep_what_the_instance_needs(tmp_path):
    from click.testing import CliRunner

    from idp.cli import Context, cli
    from idp.schema import SCHEMA
    from infra.config import load_settings

    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    settings = load_settings(environ={"CEDULA_DATA_DIR": str(instance)})
    SCHEMA.upgrade(settings.database_url)
    result = CliRunner().invoke(cli, ["keys", "init"], obj=Context(settings=settings))
    assert result.exit_code == 0, result.output
    keys = CliRunner().invoke(cli, ["keys", "list"], obj=Context(settings=settings)).output
    before = {p.name: p.read_bytes() for p in instance.iterdir() if p.is_file() and p.suffix != ".db"
              and not p.name.startswith("cedula.db") and p.name != "store.snapshot"}
    assert {"master.key", "secret.key", "metrics.token"} <= set(before)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")

    backup, restore = _documented()
    subprocess.run(["bash", "-e", "-c", backup], cwd=tmp_path, check=True, timeout=120)
    subprocess.run(["rm", "-rf", "instance"], cwd=tmp_path, check=True)
    subprocess.run(["bash", "-e", "-c", restore], cwd=tmp_path, check=True, timeout=60)

    assert {p.name: p.read_bytes() for p in instance.iterdir() if p.name in before} == before
    assert instance.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o077 == 0 for p in instance.iterdir())
    result = CliRunner().invoke(cli, ["keys", "list"], obj=Context(settings=settings))
    assert result.exit_code == 0 and result.output == keys  # the same keys (and master.key byte for byte, above)
