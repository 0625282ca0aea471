"""`cedula ...` run in-process against a test app, as the operator runs it (click's runner)."""

from __future__ import annotations

from click.testing import CliRunner, Result


def cedula(app, *args: str) -> Result:
    """The result of `cedula <args>` on `app` (its exit code and output)."""
    from idp.cli import Context, cli

    return CliRunner().invoke(cli, list(args), obj=Context(app=app))
