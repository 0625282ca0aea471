"""Errors of verification, all `signing.errors.SigningError`; each carries a machine code (`error`)."""

from __future__ import annotations

from infra.web.error_shape import CodedError
from signing.errors import SigningError


class VerificationError(SigningError, CodedError):
    """Base of every verification failure (not of a verdict: a forged PDF is a report)."""

    error = "verification_failed"


class UnreadableDocument(VerificationError):
    """The input cannot be read as a PDF: empty, not a PDF, damaged, encrypted or too large.

    `error` is one of `no_file` (the upload form sent with no file chosen), `empty_file`,
    `not_pdf`, `damaged_pdf`, `encrypted_pdf`, `file_too_large`,
    `document_too_complex` (more objects than the file's size explains: 422).
    """

    error = "unreadable_document"
    status = 422

    @property
    def http_status(self) -> int:
        return {"file_too_large": 413, "empty_file": 400, "no_file": 400, "not_pdf": 415}.get(self.error, 422)


class IssuedDocumentNotFound(VerificationError):
    """No issued document has this verification code (or id). Says nothing else."""

    error = "not_found"
    status = 404


class RevocationRefused(VerificationError):
    """A document cannot be revoked or superseded (already revoked, not the issuer's, ...)."""

    error = "invalid_request"
    status = 409


class VerifierBusy(VerificationError):
    """As many verifications as this process runs at once are running, abandoned ones that
    have not stopped yet included (`[verify] max_concurrent`): 503, try again shortly. Its
    code is RFC 6749's `temporarily_unavailable`, as every other API's 503."""

    error = "temporarily_unavailable"
    status = 503
    retry_after = 10


class DatabaseUnreadable(VerificationError):
    """`cedula verify` could not read the deployment's database (the own PKI's evidence, the
    document register): no Cédula tables yet, or a server that does not answer. Nothing was
    verified: the command says what to do (exit 5), never a traceback."""

    error = "database_unreadable"
    status = 503
