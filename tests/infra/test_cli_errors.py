"""A refusal a command expects ends it with its one-line message; anything else is not hidden."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from infra.cli_errors import errors_as_messages


class Expected(Exception):
    pass


class Unexpected(Exception):
    pass


def _command(error: Exception | None) -> click.Command:
    @click.command()
    @errors_as_messages(Expected)
    def command() -> None:
        """Says done, or raises `error`."""
        if error is not None:
            raise error
        click.echo("done")

    return command


def test_an_expected_error_is_its_message_without_a_traceback():
    result = CliRunner().invoke(_command(Expected("the key store is locked")))
    assert result.exit_code == 1
    assert result.output == "Error: the key store is locked\n"
    assert "Traceback" not in result.output


def test_other_errors_pass_through_and_the_command_keeps_its_name_and_help():
    with pytest.raises(Unexpected):
        CliRunner().invoke(_command(Unexpected("a bug")), catch_exceptions=False)
    command = _command(None)
    assert CliRunner().invoke(command).output == "done\n"
    assert command.name == "command" and command.help == "Says done, or raises `error`."
