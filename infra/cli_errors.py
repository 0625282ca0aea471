"""Errors at the command line: a refusal the command expects ends it with its one-line message
(`click.ClickException`, exit status 1) instead of a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import click

F = TypeVar("F", bound=Callable[..., Any])


def errors_as_messages(*errors: type[Exception]) -> Callable[[F], F]:
    """A command decorator: `errors` raised by the command end it with `str(error)`."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except errors as exc:
                raise click.ClickException(str(exc)) from None

        return cast(F, wrapper)

    return decorate
