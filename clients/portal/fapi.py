"""The portal as a FAPI 2.0 client of Cédula, over public HTTP only: pushed authorization
requests (RFC 9126), DPoP-bound tokens (RFC 9449) and private_key_jwt (RFC 7523) with the
issuer as the one audience. docs/agencies-fapi.md explains each step.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlencode

import requests
from joserfc import jws, jwt
from joserfc.jwk import ECKey

from clients.portal.config import PortalConfig

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TIMEOUT = 30


class FapiError(RuntimeError):
    """The provider refused a step; the message is its error and description."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_pair() -> tuple[str, str]:
    """RFC 7636 section 4.1/4.2: a verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    return verifier, _b64(hashlib.sha256(verifier.encode("ascii")).digest())


class FapiClient:
    """One portal process: its signing key (registered with Cédula) and a DPoP key of its own."""

    def __init__(self, config: PortalConfig) -> None:
        if not config.private_jwk:
            raise ValueError("a FAPI 2.0 portal authenticates with private_key_jwt: set PORTAL_PRIVATE_JWK")
        self.config = config
        self.signing_key = ECKey.import_key(cast(dict[str, Any], dict(config.private_jwk)))
        self.dpop_key = ECKey.generate_key("P-256")
        self._nonce: str | None = None
        self._lock = threading.Lock()

    def assertion(self) -> str:
        """RFC 7523 section 3, FAPI 2.0 5.3.2.1: aud the issuer, 60 seconds, a new jti."""
        now = int(time.time())
        claims = {"iss": self.config.client_id, "sub": self.config.client_id, "aud": self.config.issuer,
                  "iat": now, "exp": now + 60, "jti": secrets.token_urlsafe(16)}
        return jwt.encode({"alg": "ES256", "kid": self.signing_key.kid}, claims, self.signing_key,
                          algorithms=["ES256"])

    def proof(self, method: str, url: str, *, access_token: str | None = None) -> str:
        """RFC 9449 section 4.2: a fresh proof for one request, with the latest server nonce."""
        claims: dict[str, Any] = {"jti": secrets.token_urlsafe(16), "htm": method, "htu": url,
                                  "iat": int(time.time())}
        with self._lock:
            if self._nonce:
                claims["nonce"] = self._nonce
        if access_token is not None:
            claims["ath"] = _b64(hashlib.sha256(access_token.encode("ascii")).digest())
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.dpop_key.as_dict(private=False)}
        return jws.serialize_compact(header, json.dumps(claims).encode(), self.dpop_key, algorithms=["ES256"])

    def _send(self, method: str, url: str, *, access_token: str | None = None, **kwargs: Any) -> requests.Response:
        """One request with a DPoP proof; once more with the nonce when the server asks for one
        (RFC 9449 section 8 and 9)."""
        for _ in range(2):
            headers = dict(kwargs.pop("headers", {}) or {})
            headers["DPoP"] = self.proof(method, url, access_token=access_token)
            if access_token is not None:
                headers["Authorization"] = f"DPoP {access_token}"
            data = kwargs.get("data")
            if isinstance(data, Mapping) and "client_assertion_type" in data:
                kwargs["data"] = {**data, "client_assertion": self.assertion()}  # a jti is used once
            response = requests.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
            nonce = response.headers.get("DPoP-Nonce")
            if nonce:
                with self._lock:
                    self._nonce = nonce
            if nonce and response.status_code in (400, 401) and "use_dpop_nonce" in (
                    response.headers.get("WWW-Authenticate", "") + response.text):
                kwargs["headers"] = {k: v for k, v in headers.items() if k not in ("DPoP", "Authorization")}
                continue
            return response
        return response

    def _authenticated(self, form: Mapping[str, str]) -> dict[str, str]:
        return {**form, "client_id": self.config.client_id, "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.assertion()}

    @staticmethod
    def _json(response: requests.Response, expected: int) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != expected:
            raise FapiError(f"{body.get('error', response.status_code)}: {body.get('error_description', '')}")
        return dict(body)

    def authorization_url(self, metadata: Mapping[str, Any], params: Mapping[str, str]) -> str:
        """RFC 9126: push the request, then send the browser with client_id and request_uri only."""
        pushed = self._json(self._send("POST", metadata["pushed_authorization_request_endpoint"],
                                       data=self._authenticated(params)), 201)
        query = urlencode({"client_id": self.config.client_id, "request_uri": pushed["request_uri"]})
        return f"{metadata['authorization_endpoint']}?{query}"

    def token(self, metadata: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
        """The token endpoint with private_key_jwt and a DPoP proof: a DPoP-bound token."""
        body = self._json(self._send("POST", metadata["token_endpoint"], data=self._authenticated(form)), 200)
        if str(body.get("token_type", "")).lower() != "dpop":
            raise FapiError(f"expected a DPoP-bound token, got token_type {body.get('token_type')!r}")
        return body

    def userinfo(self, metadata: Mapping[str, Any], access_token: str) -> dict[str, Any]:
        return self._json(self._send("GET", metadata["userinfo_endpoint"], access_token=access_token), 200)

    def call(self, method: str, url: str, access_token: str, **kwargs: Any) -> requests.Response:
        """A protected resource (the documents API) with the DPoP-bound token."""
        return self._send(method, url, access_token=access_token, **kwargs)
