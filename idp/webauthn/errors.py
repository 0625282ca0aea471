"""The one error family of the WebAuthn ceremonies."""

from __future__ import annotations

from infra.web.error_shape import CodedError

# The machine codes a ceremony can be refused with (the `error` of the JSON answer).
CODES = frozenset({
    "invalid_request", "invalid_challenge", "challenge_expired", "invalid_origin",
    "invalid_rp_id", "user_presence_required", "user_verification_required",
    "unknown_credential", "sign_count_regression", "credential_suspect", "invalid_credential",
    "unsupported_algorithm", "credential_exists", "enrolment_refused", "login_required",
    "forbidden", "reauthentication_required",
    # A passkey of another citizen than the one signed in to this browser (a re-authentication
    # asked by an agency, idp.webauthn.views.authentication_verify): sign out first.
    "account_mismatch",
    # The attestation policy (idp.assurance.policy): a revoked or compromised model, or an
    # attestation no trusted metadata vouches for when only certified ones are accepted.
    "authenticator_refused", "attestation_untrusted",
    # None of the citizen's passkeys reaches the level the action needs (an empty
    # allowCredentials would let the browser offer any passkey): add or use another one.
    "no_qualifying_passkey",
})


class WebAuthnError(CodedError):
    """A registration or sign-in is refused.

    `error` is the API error code (one of `CODES`); the message (`description`) says what was
    expected and what came (for logs and developers; never contains secrets). `status` is the
    HTTP status.
    """

    catalog_key: str | None = None
    """The catalog entry of the sentence the citizen reads, when not `webauthn.error.<code>`."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        assert code in CODES, code
        super().__init__(message, error=code, status=status)


class CredentialNotAllowed(WebAuthnError):
    """The assertion's credential is not one the options named in allowCredentials (W3C
    WebAuthn Level 3, section 7.2, step 5): a step-up names only the passkeys that reach the
    level asked, and another passkey of the citizen must not answer it."""

    catalog_key = "webauthn.error.credential_not_allowed"

    def __init__(self, message: str) -> None:
        super().__init__("invalid_credential", message)


class CloneSuspected(WebAuthnError):
    """A valid signature with a counter that did not grow (section 7.2, step 22): another copy
    of the credential was used after this one. `passkey_id` is set by the ceremony, whose
    caller marks the passkey suspect in a transaction of its own (this one rolls back)."""

    def __init__(self, message: str, *, passkey_id: int | None = None,
                 citizen_id: str | None = None) -> None:
        super().__init__("sign_count_regression", message)
        self.passkey_id = passkey_id
        self.citizen_id = citizen_id
