"""The one error family of citizen accounts."""

from __future__ import annotations


class CitizenError(Exception):
    """Any refusal about a citizen's account; `code` is the API error code."""

    code = "invalid_request"


class FieldErrors(Exception):
    """A form's fields that are missing or wrong, every one named at once: `errors` maps
    field -> message key; `form` names the form in the message ("invalid enrolment fields: ...")."""

    form = "form"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(f"invalid {self.form} fields: " + ", ".join(sorted(errors)))
        self.errors = errors

    @property
    def field(self) -> str:
        """The first wrong field (the one to focus)."""
        return next(iter(self.errors))


class InvalidFields(FieldErrors, CitizenError):
    """Enrolment fields that are missing or wrong."""

    code = "invalid_field"
    form = "enrolment"


class EnrolmentRefused(CitizenError):
    """No identity can be created with these details (the reason is not told to the caller)."""

    code = "enrolment_refused"


class CredentialExists(CitizenError):
    """This passkey is already registered."""

    code = "credential_exists"


class PasskeyNotFound(CitizenError):
    code = "not_found"


class LastPasskey(CitizenError):
    """Deleting it would leave the citizen without a way to sign in."""

    code = "last_passkey"


class SignCountRaced(CitizenError):
    """Another sign-in with the same passkey updated the counter first."""

    code = "sign_count_regression"


class RecoveryFailed(CitizenError):
    """The national ID and recovery code do not match an unused code."""

    code = "recovery_failed"
