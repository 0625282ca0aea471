"""The one error family of the operator console."""

from __future__ import annotations


class OperatorError(Exception):
    """Any refusal of an operator action; `code` is the machine code."""

    code = "invalid_request"


class NotOperator(OperatorError):
    code = "not_operator"
