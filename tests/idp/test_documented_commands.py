"""Every `cedula ...` command the operator's documents spell out in full (README.md, docs/,
ops/) runs as written: its subcommands exist, its options exist, and it names no argument the
command does not take (`cedula pki issue-seal CLIENT_ID` was in docs/operations.md; the
command takes `--client CLIENT_ID`, and refused the line with "Got unexpected extra argument")."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")),
             *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ops").rglob("*.yml"))]
# A code span that is one command line: not a synopsis (`a \| b`, `[--x]`, `...`, `<a>`).
SPAN = re.compile(r"`(cedula [^`\n]*)`")
SYNOPSIS = re.compile(r"[|\[\]<>…]|\.\.\.")


def _documented() -> list[tuple[str, str]]:
    found = []
    for name in DOCUMENTS:
        for line in SPAN.findall((ROOT / name).read_text(encoding="utf-8")):
            if not SYNOPSIS.search(line):
                found.append((name, line))
    return found


def _problem(line: str) -> str | None:
    from idp.cli import cli

    words = shlex.split(line)[1:]
    command: click.Command = cli
    context = click.Context(cli)
    while words and isinstance(command, click.Group):
        if words[0] in command.get_help_option_names(context) or words[0] == "--version":
            return None
        found = command.get_command(context, words[0])
        if found is None:
            return f"no command {words[0]!r}"
        command, words = found, words[1:]
    if isinstance(command, click.Group):
        return None  # a group named as such ("`cedula pki`")
    # click adds the help option to every command itself (`get_help_option`), not to `params`
    with click.Context(command) as asked:
        params = [*command.params, command.get_help_option(asked)]
    options = {o: p for p in params if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)}
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    given = []
    while words:
        word, words = words[0], words[1:]
        if word.startswith("--"):
            option = options.get(word.split("=")[0])
            if option is None:
                return f"no option {word}"
            if not option.is_flag and "=" not in word:
                words = words[1:]
        else:
            given.append(word)
    if len(given) > len(arguments) and not any(a.nargs == -1 for a in arguments):
        return f"takes {len(arguments)} argument(s), given {given}"
    return None


def test_some_commands_are_documented():
    assert len(_documented()) > 30


@pytest.mark.parametrize(("document", "line"), _documented())
def test_a_documented_command_runs_as_written(document, line):
    assert _problem(line) is None, (document, line, _problem(line))
