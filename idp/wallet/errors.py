"""One error family for the wallet package: catch `WalletError` to catch any protocol failure.

`error` is the registered code of the spec in play (OpenID4VCI 1.0 section 8.3.1.2, RFC 6749
section 5.2, OpenID4VP 1.0), `description` a sentence saying what was expected and what was
found. Services raise these; views map them to JSON with `status`.
"""

from __future__ import annotations

from infra.web.error_shape import CodedError


class WalletError(CodedError):
    """Base of every error of `idp.wallet`."""


class InvalidSdJwt(WalletError):
    """An SD-JWT, a disclosure or a key binding JWT is malformed or does not verify."""

    error = "invalid_sd_jwt"


class InvalidProof(WalletError):
    """OpenID4VCI 1.0 section 8.3.1.2: the key proof is missing or wrong."""

    error = "invalid_proof"


class InvalidNonce(WalletError):
    """OpenID4VCI 1.0 section 8.3.1.2: the proof's c_nonce is unknown, used or expired."""

    error = "invalid_nonce"


class InvalidWalletToken(WalletError):
    """RFC 6750 section 3.1: the wallet's access token (issued by `/wallet/token` for a
    pre-authorized code) is missing, unknown, expired or presented under the wrong scheme.
    Not `idp.oidc.errors.InvalidToken`, an agency's token at the provider's endpoints."""

    error = "invalid_token"
    status = 401


class InvalidGrant(WalletError):
    """RFC 6749 section 5.2: the pre-authorized code or transaction code is wrong or used."""

    error = "invalid_grant"


class NotOffered(WalletError):
    """No credential can be offered for this document (no data kept, not issued, revoked)."""

    error = "not_offered"
    status = 409


class PresentationRejected(WalletError):
    """OpenID4VP 1.0: the presentation does not satisfy the request."""

    error = "invalid_presentation"
