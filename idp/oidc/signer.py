"""The `tokens.TokenSigner` the provider uses: `keys/` signs with its current key and verifies
against its published keys (no key loading per call: `keys` caches its keyring).

Tokens it verified are kept until they expire (an access token is presented again and again):
a token seen before is answered from memory once its key is checked to be still published,
exactly as a full verification would check it, and its expiry to be still ahead; the
signature, which cannot change, is not checked twice (issue 16).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from typing import Any

import keys
from idp.oidc.errors import InvalidToken


class KeysSigner:
    """Adapts `keys.sign_jwt` / `keys.verify_jwt` to `idp.oidc.tokens.TokenSigner`."""

    MAX_VERIFIED = 10_000

    def __init__(self, service: keys.KeyService) -> None:
        self._service = service
        # (token, typ, audience, algorithms) -> (kid, alg, exp, claims)
        self._verified: dict[tuple[str, str, str | None, frozenset[str]], tuple[str, str, float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def sign(self, claims: Mapping[str, Any], *, alg: str, typ: str) -> str:
        return keys.sign_jwt(self._service, claims, alg=alg, typ=typ)

    def verify(self, token: str, *, algorithms: Collection[str], typ: str,
               audience: str | None = None) -> Mapping[str, Any]:
        key = (token, typ, audience, frozenset(algorithms))
        now = self._service.now()
        kept = self._verified.get(key)
        if kept is not None:
            kid, alg, exp, claims = kept
            if now.timestamp() < exp and any(k.kid == kid and k.alg == alg
                                             for k in self._service.keyring.published(now)):
                return dict(claims)  # a copy: callers never share one
            with self._lock:
                self._verified.pop(key, None)
        try:
            verified = keys.verify_jwt(token, algorithms=algorithms, app=self._service, typ=typ,
                                       audience=audience, leeway=0, require=("exp", "iat"))
        except keys.InvalidJwt as exc:
            raise InvalidToken(str(exc)) from None
        expires = verified.claims.get("exp")
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            with self._lock:
                if len(self._verified) >= self.MAX_VERIFIED:
                    self._verified.clear()
                self._verified[key] = (verified.kid, str(verified.header.get("alg")), float(expires),
                                       dict(verified.claims))
        return verified.claims
