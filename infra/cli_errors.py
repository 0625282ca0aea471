"""Errors at the command line: a refusal the command expects ends it with its one-line message
(`click.ClickException`, exit status 1) instead of a traceback; a setting that cannot work ends
it with `SettingRefused` (exit status 2, as click's usage errors). docs/operations.md, "Exit
status", lists them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click


class SettingRefused(click.ClickException):
    """A setting (file, environment variable, option) that cannot work: the command did not run
    and will not until the setting is corrected, a usage/configuration error (exit status 2)."""

    exit_code = 2


@contextmanager
def errors_as_messages(*errors: type[Exception]) -> Iterator[None]:
    """`errors` raised inside end the command with `str(error)`: a `with` block, or a command
    decorator (a context manager made by `contextmanager` decorates as well)."""
    try:
        yield
    except errors as exc:
        raise click.ClickException(str(exc)) from None
