"""The `cedula` root command: package commands load when they run, not at start."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from idp.cli import COMMANDS, cli, load_command

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _fresh_interpreter(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                           text=True, timeout=60).stdout.strip()


def test_help_imports_no_package_command_nor_the_web_app():
    loaded = _fresh_interpreter(
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from idp.cli import cli\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        "heavy = ('idp.app', 'sqlalchemy', 'keys', 'signing', 'clients', 'idp.oidc', 'pyhanko')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n")
    assert loaded == "[]"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_help_listed_is_the_commands_own(name):
    command = load_command(name)
    limit = 200
    assert click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit) \
        == command.get_short_help_str(limit)


def test_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == {*COMMANDS, "db", "serve", "demo"}


def test_composed_groups_carry_their_subcommands():
    runner = CliRunner()
    assert "move-sector" in runner.invoke(cli, ["clients", "--help"]).output
    assert "revoke" in runner.invoke(cli, ["documents", "--help"]).output


def test_verify_builds_only_what_verification_needs(tmp_path):
    """`cedula verify` answers without any Flask app: no provider, no pages, no sealing side,
    no migrations, not even Flask or the ORM are imported (the agency's name is read through
    `clients.registry.names`, whose package loads nothing until asked)."""
    pdf = tmp_path / "junk.pdf"
    pdf.write_bytes(b"%PDF-1.7 not really")
    env = {**os.environ, "PYTHONPATH": ROOT, "CEDULA_DATA_DIR": str(tmp_path / "data"),
           "CEDULA_DATABASE_URL": f"sqlite:///{tmp_path / 'cedula.db'}", "CEDULA_REDIS_URL": ""}
    out = subprocess.run(
        [sys.executable, "-c",
         "import sys\n"
         "from click.testing import CliRunner\n"
         "from idp.cli import cli\n"
         f"result = CliRunner().invoke(cli, ['verify', {str(pdf)!r}])\n"
         "print(result.exit_code, sorted(m for m in ('idp.oidc.views', 'idp.webauthn', 'idp.account',"
         " 'idp.app', 'signing.pades', 'signing.render', 'alembic', 'flask', 'sqlalchemy.orm',"
         " 'clients.registry.models') if m in sys.modules))\n"],
        env=env, check=True, capture_output=True, text=True, timeout=120).stdout.strip().splitlines()[-1]
    assert out == "3 []"  # unreadable input, and none of the web app was imported


@pytest.mark.parametrize("args", [["serve", "--port", "99999999"], ["serve", "--port", "-5"],
                                  ["demo", "--port", "70000"], ["serve", "--workers", "99999999999"]])
def test_numbers_out_of_range_are_usage_errors(args, tmp_path):
    """Before: `cedula serve --port 99999999` ended in an OverflowError traceback."""
    result = CliRunner().invoke(cli, args, env={"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_REDIS_URL": ""})
    assert result.exit_code == 2, result.output
    assert "is not in the range" in result.output
    assert "Traceback" not in result.output


def _settings_file(tmp_path, text: str) -> dict[str, str]:
    settings_file = tmp_path / "cedula.toml"
    settings_file.write_text(f'[server]\ndata_dir = "{tmp_path}"\n{text}', encoding="utf-8")
    return {"CEDULA_CONFIG": str(settings_file), "CEDULA_REDIS_URL": ""}


@pytest.mark.parametrize(("text", "args"), [
    ("port = 0\n", ["operators", "list"]),  # [server] port, refused when the settings are read
    ("[audit]\nseal_seconds = -1\n", ["operators", "list"]),  # refused by its component, the app built
    ("[audit]\nseal_seconds = -1\n", ["serve", "--port", "1"]),  # ... before `serve` starts a worker
    ("", ["raising-config-error"]),  # raised while the command runs
])
def test_a_setting_that_cannot_work_exits_2_like_a_usage_error_wherever_it_is_refused(tmp_path, text, args):
    """docs/operations.md, "Exit status": 0 done, 1 failed, 2 usage or configuration. A ConfigError
    that reached `main()` exited 2, the same error refused at start or by a component exited 1."""
    from infra.config import ConfigError

    @click.command("raising-config-error")
    def raising() -> None:
        raise ConfigError("documents.max_bytes must be a whole number >= 1024, got -1")

    cli.add_command(raising)
    try:
        result = CliRunner().invoke(cli, args, env=_settings_file(tmp_path, text))
    finally:
        cli.commands.pop("raising-config-error")
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1 and "Error: " in result.output


def test_main_exits_2_for_a_setting_as_commands_do(tmp_path):
    env = {**os.environ, **_settings_file(tmp_path, "[audit]\nseal_seconds = -1\n"), "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, "-c", "from idp.cli import main; main()", "operators", "list"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "audit.seal_seconds" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("text", "args", "names"), [
    ("port = 0\n", ["verify", "x.pdf"], "server.port"),  # refused when the settings are read
    ('[verify]\ntrust_roots = ["/nonexistent/roots.pem"]\n', ["verify", "x.pdf"], "verify.trust_roots"),
    ("", ["verify"], "FILE"),  # a usage error: no file named
    ("", ["verify", "--no-such-option", "x.pdf"], "--no-such-option"),
])
def test_cedula_verify_that_verified_nothing_exits_5_not_indeterminate(tmp_path, monkeypatch, text, args, names):
    """`cedula verify` exits 2 for INDETERMINATE: a usage error or a setting that cannot work
    exited 2 as well (click's status, the other commands'), which a script read as a verdict; a
    trust root that cannot be read ended with a traceback."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    result = CliRunner().invoke(cli, args, env=_settings_file(tmp_path, text))
    assert result.exit_code == 5, result.output
    assert isinstance(result.exception, SystemExit)
    assert names in result.output and "Traceback" not in result.output
