"""Errors of verification, all `signing.errors.SigningError`; each carries a machine code."""

from __future__ import annotations

from signing.errors import SigningError


class VerificationError(SigningError):
    """Base of every verification failure (not of a verdict: a forged PDF is a report)."""

    code = "verification_failed"
    status = 400

    def __init__(self, description: str, *, code: str | None = None) -> None:
        super().__init__(description)
        self.description = description
        if code is not None:
            self.code = code


class UnreadableDocument(VerificationError):
    """The input cannot be read as a PDF: empty, not a PDF, damaged, encrypted or too large.

    `code` is one of `empty_file`, `not_pdf`, `damaged_pdf`, `encrypted_pdf`, `file_too_large`.
    """

    code = "unreadable_document"
    status = 422

    @property
    def http_status(self) -> int:
        return {"file_too_large": 413, "empty_file": 400, "not_pdf": 415}.get(self.code, 422)


class IssuedDocumentNotFound(VerificationError):
    """No issued document has this verification code (or id). Says nothing else."""

    code = "not_found"
    status = 404


class RevocationRefused(VerificationError):
    """A document cannot be revoked or superseded (already revoked, not the issuer's, ...)."""

    code = "invalid_request"
    status = 409
