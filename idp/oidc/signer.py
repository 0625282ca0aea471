"""The `tokens.TokenSigner` the provider uses: `keys/` signs with its current key and verifies
against its published keys (no key loading per call: `keys` caches its keyring).

Tokens it verified are kept until they expire (an access token is presented again and again):
a token seen before is answered from memory once its key is checked to be still published,
exactly as a full verification would check it, and its expiry to be still ahead; the
signature, which cannot change, is not checked twice (issue 16). The keys are looked up by
(kid, alg) in an index made once per keyring change, and the claims are handed out as a
read-only view of the one dict kept (no caller changes them; none can).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any

import keys
from idp.oidc.errors import InvalidToken
from keys import jwt as keys_jwt
from keys.rotation import SigningKeyInfo


class KeysSigner:
    """Adapts `keys.sign_jwt` / `keys.verify_jwt` to `idp.oidc.tokens.TokenSigner`."""

    MAX_VERIFIED = 10_000

    def __init__(self, service: keys.KeyService) -> None:
        self._service = service
        # (token, typ, audience, algorithms) -> (kid, alg, exp, claims)
        self._verified: dict[tuple[str, str, str | None, tuple[str, ...]],
                             tuple[str, str, float, Mapping[str, Any]]] = {}
        self._lock = threading.Lock()
        # The keyring's keys (the tuple itself, replaced on every change) and their index.
        self._index: tuple[tuple[SigningKeyInfo, ...], dict[tuple[str, str], SigningKeyInfo]] = ((), {})

    def sign(self, claims: Mapping[str, Any], *, alg: str, typ: str) -> str:
        # `keys.sign_jwt(self._service, ...)` without its look-up of the service (two per /token)
        service = self._service
        return keys_jwt.sign(service.keyring, claims, alg=alg, typ=typ, headers=None, now=service.clock())

    def _key(self, kid: str, alg: str) -> SigningKeyInfo | None:
        known = self._service.keyring.keys()
        index = self._index
        if index[0] is not known:
            index = self._index = (known, {(k.kid, k.alg): k for k in known})
        return index[1].get((kid, alg))

    def verify(self, token: str, *, algorithms: Collection[str], typ: str,
               audience: str | None = None) -> Mapping[str, Any]:
        key = (token, typ, audience, algorithms if isinstance(algorithms, tuple) else tuple(algorithms))
        kept = self._verified.get(key)
        if kept is not None:
            kid, alg, exp, claims = kept
            now = self._service.now()
            signer = self._key(kid, alg)
            if now.timestamp() < exp and signer is not None and signer.published(now):
                return claims
            with self._lock:
                self._verified.pop(key, None)
        try:
            verified = keys.verify_jwt(token, algorithms=algorithms, app=self._service, typ=typ,
                                       audience=audience, leeway=0, require=("exp", "iat"))
        except keys.InvalidJwt as exc:
            raise InvalidToken(str(exc)) from None
        claims = MappingProxyType(verified.claims)
        expires = verified.claims.get("exp")
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            with self._lock:
                if len(self._verified) >= self.MAX_VERIFIED:
                    self._verified.clear()
                self._verified[key] = (verified.kid, str(verified.header.get("alg")), float(expires), claims)
        return claims
