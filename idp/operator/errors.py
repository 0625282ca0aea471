"""The one error family of the operator console."""

from __future__ import annotations


class OperatorError(Exception):
    """Any refusal of an operator action; `code` is the machine code."""

    code = "invalid_request"


class NotOperator(OperatorError):
    code = "not_operator"


class OwnRole(OperatorError):
    """Separation of duties: an operator acted on their own roles (granted themselves one, or
    revoked their own operator role); another operator must do it."""

    code = "own_role"
