"""A DPoP client's side (RFC 9449 section 4): a key and the proofs it signs, with every field
open to override so that tests can build the broken ones an attacker would."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from joserfc import jws
from joserfc.jwk import ECKey


def ath(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class DpopKey:
    """One client key pair; `proof` signs a fresh proof for a request."""

    key: ECKey = field(default_factory=lambda: ECKey.generate_key("P-256"))
    nonce: str | None = None

    @property
    def jkt(self) -> str:
        return self.key.thumbprint()

    def proof(self, method: str, url: str, *, access_token: str | None = None, alg: str = "ES256",
              jti: str | None = None, iat: int | None = None, nonce: str | None = None,
              typ: str = "dpop+jwt", jwk: dict[str, Any] | None = None, **claims: Any) -> str:
        payload: dict[str, Any] = {"jti": jti or secrets.token_urlsafe(12), "htm": method, "htu": url,
                                   "iat": int(time.time()) if iat is None else iat}
        if access_token is not None:
            payload["ath"] = ath(access_token)
        if (nonce or self.nonce) is not None:
            payload["nonce"] = nonce or self.nonce
        payload.update(claims)
        header = {"typ": typ, "alg": alg, "jwk": jwk or self.key.as_dict(private=False)}
        import json

        return jws.serialize_compact(header, json.dumps(payload).encode(), self.key, algorithms=[alg])

    def unsigned(self, method: str, url: str, *, alg: str = "none", secret: bytes | None = None) -> str:
        """A proof with `alg: none` (no signature) or a MAC (HS256 over `secret`)."""
        import hmac
        import json

        header = {"typ": "dpop+jwt", "alg": alg, "jwk": self.key.as_dict(private=False)}
        payload = {"jti": secrets.token_urlsafe(12), "htm": method, "htu": url, "iat": int(time.time()),
                   "nonce": self.nonce}
        signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
        if alg == "none":
            return signing_input + "."
        mac = hmac.new(secret or b"k" * 32, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + _b64(mac)

    def remember(self, response: Any) -> None:
        """Keep the server's nonce from a response (RFC 9449 section 8)."""
        nonce = response.headers.get("DPoP-Nonce")
        if nonce:
            self.nonce = nonce
