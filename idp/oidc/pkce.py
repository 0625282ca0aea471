"""Proof Key for Code Exchange (RFC 7636), S256 only: a stolen code is useless without the verifier."""

from __future__ import annotations

import hashlib
import hmac
import re

from idp.oidc.errors import AuthorizationError, InvalidGrant
from infra.jose import b64url

METHODS = ("S256",)
# RFC 7636 section 4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
# An S256 challenge is BASE64URL(SHA256(verifier)) without padding: exactly 43 characters.
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")


def s256(verifier: str) -> str:
    """RFC 7636 section 4.2: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return b64url(digest)


def check_challenge(*, challenge: str | None, method: str | None) -> str:
    """RFC 7636 section 4.3-4.4: the challenge is required and must be S256; returns it."""
    if not challenge:
        raise AuthorizationError("code_challenge is required: every client must use PKCE with S256 "
                                 "(RFC 7636)")
    # RFC 7636 section 4.3: an absent method means "plain", which this provider refuses.
    if method != "S256":
        raise AuthorizationError(f"code_challenge_method must be S256, got {method or 'none (plain)'!r}")
    if not _S256_CHALLENGE.fullmatch(challenge):
        raise AuthorizationError("code_challenge must be 43 base64url characters (an S256 digest)")
    return challenge


def challenge_of(verifier: str | None) -> str:
    """The S256 challenge a well-formed code_verifier answers (RFC 7636 section 4.6); a missing
    or malformed one is refused, saying which, before any code is looked up."""
    if not verifier:
        raise InvalidGrant("code_verifier is required (RFC 7636 section 4.5)")
    if not _VERIFIER.fullmatch(verifier):
        raise InvalidGrant("code_verifier must be 43 to 128 unreserved characters (RFC 7636 section 4.1)")
    return s256(verifier)


def verify(*, verifier: str | None, challenge: str) -> None:
    """RFC 7636 section 4.6: the token request's code_verifier must hash to the challenge."""
    if not hmac.compare_digest(challenge_of(verifier), challenge):
        raise InvalidGrant("code_verifier does not match the code_challenge of the authorization request")
