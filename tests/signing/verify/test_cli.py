"""`cedula verify` reads at most the accepted size plus one byte: a huge file (or /dev/zero)
is refused as too large without being read into memory."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from signing.verify.cli import EXIT_UNREADABLE, verify_command


class _Refusing:
    """A verification that must never be asked: the file is refused before."""

    max_bytes = 1024 * 1024

    def verify(self, data: bytes):
        raise AssertionError(f"{len(data)} bytes were read and verified")


class _Root:
    def __init__(self, verification) -> None:
        self.verification = lambda: verification


def _run(path, *options):
    return CliRunner().invoke(verify_command, [*options, str(path)], obj=_Root(_Refusing()))


@pytest.fixture
def huge(tmp_path):
    """A sparse file of 64 GiB: reading it whole would exhaust the memory."""
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(64 * 1024 ** 3)
    return path


def test_a_huge_file_is_refused_as_too_large(huge):
    result = _run(huge, "--json")
    assert result.exit_code == EXIT_UNREADABLE, result.output
    body = json.loads(result.output)
    assert body["error"] == "file_too_large"
    assert str(_Refusing.max_bytes) in body["error_description"]


def test_the_text_output_says_so_too(huge):
    result = _run(huge)
    assert result.exit_code == EXIT_UNREADABLE
    assert "more than 1048576 bytes; at most 1048576 are accepted" in result.output


def test_dev_zero_is_refused_as_too_large():
    result = _run("/dev/zero", "--json")
    assert result.exit_code == EXIT_UNREADABLE, result.output
    assert json.loads(result.output)["error"] == "file_too_large"


def test_the_real_command_refuses_it_with_its_configured_limit(fresh_app, huge):
    from idp.cli import Context, cli
    from infra.config import get_settings

    result = CliRunner().invoke(cli, ["verify", "--json", str(huge)],
                                obj=Context(settings=get_settings(fresh_app)))
    assert result.exit_code == EXIT_UNREADABLE, result.output
    assert json.loads(result.output)["error"] == "file_too_large"
