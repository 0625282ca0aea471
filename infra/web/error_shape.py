"""The error every API answers with (RFC 6749, section 5.2, used across the product):
`{"error": "<machine code>", "error_description": "<human sentence>"}` and an HTTP status.

Free of Flask, so that services (and commands that load no web framework) can raise it.
"""

from __future__ import annotations


class CodedError(Exception):
    """An error in the product's shape: `error` the machine code, `description` the sentence that
    says what was expected and what was found, `status` the HTTP status a view answers with.

    A package's error family derives from it and sets the class defaults (`error = "invalid_grant"`);
    one instance may name another code or status where the same failure means more than one."""

    error = "invalid_request"
    status = 400

    def __init__(self, description: str, *, error: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(description)
        self.description = description
        if error is not None:
            self.error = error
        if status is not None:
            self.status = status

    def as_json(self) -> dict[str, str]:
        """The body of the answer: `{"error": ..., "error_description": ...}`."""
        return {"error": self.error, "error_description": self.description}


class FieldError(CodedError, ValueError):
    """A value refused for one named input field: `description` is "<field>: <message>"."""

    def __init__(self, field: str, message: str, *, error: str | None = None) -> None:
        super().__init__(f"{field}: {message}", error=error)
        self.field = field
