"""JWT Secured Authorization Response Mode (JARM, OpenID Financial-grade API JARM, section 2):
the authorization response as one JWT in the `response` query parameter, signed by the provider
(through `keys/`, as ID tokens are), so that the client can trust where it came from.
"""

from __future__ import annotations

from collections.abc import Mapping

from idp.oidc import tokens

MODES = ("query.jwt", "jwt")  # section 2.3: for the code flow, "jwt" means "query.jwt"
ALG = "ES256"
LIFETIME = 300  # section 2.1: short-lived; the client redeems the code at once
TYP = "JWT"


def wanted(response_mode: str | None) -> bool:
    return response_mode in MODES


def response(signer: tokens.TokenSigner, *, issuer: str, client_id: str, params: Mapping[str, str | None],
             now: int) -> str:
    """Section 2.1: iss, aud (the client), exp, and the response's parameters (code and state,
    or error, error_description and state)."""
    claims: dict[str, object] = {"iss": issuer, "aud": client_id, "iat": now, "exp": now + LIFETIME}
    claims.update({name: value for name, value in params.items() if value is not None})
    return signer.sign(claims, alg=ALG, typ=TYP)
