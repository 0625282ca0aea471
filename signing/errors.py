"""One error family for the whole package: catch `SigningError` to catch any document failure.

Messages say what was expected and what was found.
"""

from __future__ import annotations


class SigningError(Exception):
    """Base of every error raised by `signing`."""


class InvalidCode(SigningError):
    """A verification code (CSV) typed or pasted by someone is not a well-formed code."""


class UnknownTemplate(SigningError):
    """No document template has the requested name."""


class RenderError(SigningError):
    """A document cannot be rendered with the arguments given (language, sizes, text)."""
