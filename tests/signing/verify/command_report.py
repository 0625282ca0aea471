"""`cedula verify --json` against the API: the command builds only the verification parts
(`signing.verify.command`, no app), and must say what the whole app's API says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner


def command_and_api(app, path: Path, pdf: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The command's JSON report of `pdf` (written to `path`, exit code 0) and the API's, in English."""
    from idp.cli import Context, cli
    from infra.config import get_settings

    path.write_bytes(pdf)
    result = CliRunner().invoke(cli, ["verify", "--json", "--lang", "en", str(path)],
                                obj=Context(settings=get_settings(app)))
    assert result.exit_code == 0, result.output
    api = app.test_client().post("/api/verify?lang=en", data=pdf,
                                 headers={"Content-Type": "application/pdf"}).get_json()
    return json.loads(result.output), api
