"""The `tokens.TokenSigner` the provider uses: `keys/` signs with its current key and verifies
against its published keys (no key loading per call: `keys` caches its keyring).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import keys
from idp.oidc.errors import InvalidToken


class KeysSigner:
    """Adapts `keys.sign_jwt` / `keys.verify_jwt` to `idp.oidc.tokens.TokenSigner`."""

    def __init__(self, service: keys.KeyService) -> None:
        self._service = service

    def sign(self, claims: Mapping[str, Any], *, alg: str, typ: str) -> str:
        return keys.sign_jwt(self._service, claims, alg=alg, typ=typ)

    def verify(self, token: str, *, algorithms: Collection[str], typ: str,
               audience: str | None = None) -> Mapping[str, Any]:
        try:
            verified = keys.verify_jwt(token, algorithms=algorithms, app=self._service, typ=typ,
                                       audience=audience, leeway=0, require=("exp", "iat"))
        except keys.InvalidJwt as exc:
            raise InvalidToken(str(exc)) from None
        return verified.claims
