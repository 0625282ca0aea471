"""A software wallet (holder) for tests: its own key, credential offers, the pre-authorized
code grant, key proofs (OpenID4VCI 1.0, Appendix F.1), and SD-JWT VC presentations with a
key binding JWT (RFC 9901, section 4.3). It speaks HTTP through a `Transport`, either a Flask
test client or `requests` against a live `cedula serve`.

The key proof and presentation builders take overrides, so a test can make each check fail.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from joserfc import jws
from joserfc.jwk import ECKey

from idp.wallet import sd_jwt
from infra import jose


@dataclass
class Reply:
    status: int
    body: Any
    text: str
    headers: dict[str, str]


class Transport:
    """`get(url)` and `post(url, form=|json=, headers=)` returning a `Reply`."""

    def __init__(self, *, flask_client: Any = None, session: Any = None, base: str = "") -> None:
        self.client = flask_client
        self.session = session
        self.base = base

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def get(self, url: str, headers: dict[str, str] | None = None) -> Reply:
        if self.client is not None:
            response = self.client.get(self._path(url), headers=headers or {})
            return self._flask(response)
        return self._requests(self.session.get(url, headers=headers or {}, timeout=30))

    def post(self, url: str, *, form: dict[str, str] | None = None, json_body: Any = None,
             headers: dict[str, str] | None = None) -> Reply:
        if self.client is not None:
            if form is not None:
                response = self.client.post(self._path(url), data=form, headers=headers or {})
            elif json_body is not None:
                response = self.client.post(self._path(url), data=json.dumps(json_body),
                                            content_type="application/json", headers=headers or {})
            else:
                response = self.client.post(self._path(url), headers=headers or {})
            return self._flask(response)
        response = self.session.post(url, data=form, json=json_body, headers=headers or {}, timeout=30)
        return self._requests(response)

    @staticmethod
    def _flask(response: Any) -> Reply:
        text = response.get_data(as_text=True)
        return Reply(response.status_code, response.get_json(silent=True), text, dict(response.headers))

    @staticmethod
    def _requests(response: Any) -> Reply:
        try:
            body = response.json()
        except ValueError:
            body = None
        return Reply(response.status_code, body, response.text, dict(response.headers))


@dataclass
class HeldCredential:
    sd_jwt: str
    notification_id: str | None = None

    @property
    def parsed(self) -> sd_jwt.SdJwt:
        return sd_jwt.parse(self.sd_jwt)

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(jose.b64url_decode(self.parsed.jws.split(".")[1]))

    @property
    def header(self) -> dict[str, Any]:
        return json.loads(jose.b64url_decode(self.parsed.jws.split(".")[0]))


@dataclass
class SoftwareWallet:
    transport: Transport
    key: ECKey = field(default_factory=lambda: ECKey.generate_key("P-256"))
    metadata: dict[str, Any] = field(default_factory=dict)
    access_token: str | None = None
    dpop_key: ECKey | None = None  # set: tokens are DPoP-bound (RFC 9449) to this key
    dpop_nonce: str | None = None

    def dpop_proof(self, method: str, url: str, *, access_token: str | None = None,
                   key: ECKey | None = None) -> str:
        """RFC 9449 section 4.2: a fresh proof for this request."""
        import base64
        import hashlib
        import secrets

        signer = key or self.dpop_key
        assert signer is not None
        claims: dict[str, Any] = {"jti": secrets.token_urlsafe(16), "htm": method, "htu": url,
                                  "iat": int(time.time())}
        if self.dpop_nonce:
            claims["nonce"] = self.dpop_nonce
        if access_token:
            claims["ath"] = base64.urlsafe_b64encode(
                hashlib.sha256(access_token.encode()).digest()).rstrip(b"=").decode()
        return jws.serialize_compact(
            {"alg": "ES256", "typ": "dpop+jwt", "jwk": signer.as_dict(private=False)},
            json.dumps(claims).encode(), signer, algorithms=["ES256"])

    def _post_with_dpop(self, url: str, *, form: dict[str, str] | None = None, json_body: Any = None,
                        access_token: str | None = None) -> Reply:
        """POST with a DPoP proof, once more with the server's nonce if it asks (section 8)."""
        for _ in range(2):
            headers = {"DPoP": self.dpop_proof("POST", url, access_token=access_token)}
            if access_token:
                headers["Authorization"] = f"DPoP {access_token}"
            reply = self.transport.post(url, form=form, json_body=json_body, headers=headers)
            nonce = {k.lower(): v for k, v in reply.headers.items()}.get("dpop-nonce")
            if nonce and reply.status in (400, 401) and (reply.body or {}).get("error") == "use_dpop_nonce":
                self.dpop_nonce = nonce
                continue
            if nonce:
                self.dpop_nonce = nonce
            return reply
        return reply

    # OpenID4VCI ------------------------------------------------------------------------

    def resolve_offer(self, link: str) -> dict[str, Any]:
        """An `openid-credential-offer://` link, by value or by reference (section 4.1)."""
        query = parse_qs(urlsplit(link).query)
        if "credential_offer" in query:
            return json.loads(query["credential_offer"][0])
        reply = self.transport.get(unquote(query["credential_offer_uri"][0]))
        assert reply.status == 200, reply.text
        return reply.body

    def discover(self, credential_issuer: str) -> dict[str, Any]:
        reply = self.transport.get(credential_issuer + "/.well-known/openid-credential-issuer")
        assert reply.status == 200, reply.text
        self.metadata = reply.body
        return self.metadata

    def token(self, offer: dict[str, Any], tx_code: str | None) -> Reply:
        grant = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
        server = grant.get("authorization_server") or self.metadata["authorization_servers"][0]
        parts = urlsplit(server)
        well_known = f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{parts.path}"
        as_metadata = self.transport.get(well_known).body
        form = {"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                "pre-authorized_code": grant["pre-authorized_code"]}
        if tx_code is not None:
            form["tx_code"] = tx_code
        if self.dpop_key is not None:
            reply = self._post_with_dpop(as_metadata["token_endpoint"], form=form)
        else:
            reply = self.transport.post(as_metadata["token_endpoint"], form=form)
        if reply.status == 200:
            self.access_token = reply.body["access_token"]
        return reply

    def authorization_server(self) -> dict[str, Any]:
        server = self.metadata["authorization_servers"][0]
        parts = urlsplit(server)
        reply = self.transport.get(
            f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{parts.path}")
        assert reply.status == 200, reply.text
        return reply.body

    def authorization_url(self, *, client_id: str, redirect_uri: str, scope: str | None = None,
                          configuration_id: str | None = None, issuer_state: str | None = None,
                          state: str = "st-wallet", method: str = "S256") -> tuple[str, str]:
        """An authorization request (OpenID4VCI 1.0, 5.1) with PKCE: (URL, code_verifier)."""
        import base64
        import hashlib
        import secrets
        from urllib.parse import urlencode

        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                  "state": state, "code_challenge": challenge, "code_challenge_method": method}
        if scope is not None:
            params["scope"] = scope
        if configuration_id is not None:
            params["authorization_details"] = json.dumps([{
                "type": "openid_credential", "credential_configuration_id": configuration_id}])
        if issuer_state is not None:
            params["issuer_state"] = issuer_state
        return self.authorization_server()["authorization_endpoint"] + "?" + urlencode(params), verifier

    def token_with_code(self, *, code: str, client_id: str, redirect_uri: str, verifier: str) -> Reply:
        reply = self.transport.post(self.authorization_server()["token_endpoint"], form={
            "grant_type": "authorization_code", "code": code, "client_id": client_id,
            "redirect_uri": redirect_uri, "code_verifier": verifier})
        if reply.status == 200:
            self.access_token = reply.body["access_token"]
        return reply

    def token_with_code_dpop(self, *, code: str, client_id: str, redirect_uri: str,
                             verifier: str) -> Reply:
        """`token_with_code` with a DPoP proof (and the server's nonce when it asks)."""
        reply = self._post_with_dpop(self.authorization_server()["token_endpoint"], form={
            "grant_type": "authorization_code", "code": code, "client_id": client_id,
            "redirect_uri": redirect_uri, "code_verifier": verifier})
        if reply.status == 200:
            self.access_token = reply.body["access_token"]
        return reply

    def nonce(self) -> str:
        reply = self.transport.post(self.metadata["nonce_endpoint"])
        assert reply.status == 200, reply.text
        return reply.body["c_nonce"]

    def proof(self, *, nonce: str | None, audience: str | None = None, iat: int | None = None,
              typ: str = "openid4vci-proof+jwt", key: ECKey | None = None,
              header_jwk: dict | None = None, issuer: str | None = None) -> str:
        signer = key or self.key
        header = {"alg": "ES256", "typ": typ,
                  "jwk": header_jwk if header_jwk is not None else signer.as_dict(private=False)}
        claims: dict[str, Any] = {"aud": audience or self.metadata["credential_issuer"],
                                  "iat": int(time.time()) if iat is None else iat}
        if nonce is not None:
            claims["nonce"] = nonce
        if issuer is not None:
            claims["iss"] = issuer
        return jws.serialize_compact(header, json.dumps(claims).encode(), signer, algorithms=["ES256"])

    def request_credential(self, configuration_id: str, proofs: list[str],
                           access_token: str | None = None) -> Reply:
        if self.dpop_key is not None:
            return self._post_with_dpop(
                self.metadata["credential_endpoint"], access_token=access_token or self.access_token,
                json_body={"credential_configuration_id": configuration_id, "proofs": {"jwt": proofs}})
        return self.transport.post(
            self.metadata["credential_endpoint"],
            json_body={"credential_configuration_id": configuration_id, "proofs": {"jwt": proofs}},
            headers={"Authorization": f"Bearer {access_token or self.access_token}"})

    def receive(self, link: str, tx_code: str) -> HeldCredential:
        """The whole pre-authorized flow: offer, metadata, token, nonce, proof, credential."""
        offer = self.resolve_offer(link)
        self.discover(offer["credential_issuer"])
        token = self.token(offer, tx_code)
        assert token.status == 200, token.text
        reply = self.request_credential(offer["credential_configuration_ids"][0],
                                        [self.proof(nonce=self.nonce())])
        assert reply.status == 200, reply.text
        return HeldCredential(reply.body["credentials"][0]["credential"], reply.body.get("notification_id"))

    def notify(self, notification_id: str, event: str = "credential_accepted") -> Reply:
        return self.transport.post(self.metadata["notification_endpoint"],
                                   json_body={"notification_id": notification_id, "event": event},
                                   headers={"Authorization": f"Bearer {self.access_token}"})

    # presentations -----------------------------------------------------------------------

    def present(self, held: HeldCredential, *, reveal: list[tuple[str, ...]], nonce: str,
                audience: str, iat: int | None = None, key: ECKey | None = None,
                disclosures: list[str] | None = None) -> str:
        """An SD-JWT+KB revealing only the claims at `reveal` (RFC 9901, section 4.3)."""
        parsed = held.parsed
        chosen = disclosures if disclosures is not None else sd_jwt.select(
            parsed.disclosures, held.payload, reveal)
        without_kb = sd_jwt.serialize(parsed.jws, chosen)
        claims = {"nonce": nonce, "aud": audience,
                  "iat": int(time.time()) if iat is None else iat,
                  "sd_hash": sd_jwt.sd_hash(without_kb)}
        kb = jws.serialize_compact({"alg": "ES256", "typ": "kb+jwt"}, json.dumps(claims).encode(),
                                   key or self.key, algorithms=["ES256"])
        return without_kb + kb


def register_wallet_client(app: Any, client_id: str, callback: str) -> str:
    """Register "Cartera Ejemplo", a public wallet client (authorization code, no client
    authentication) redirecting to `callback`, in `app`'s client registry; its client_id."""
    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db

    metadata = {"client_name": "Cartera Ejemplo", "redirect_uris": [callback],
                "token_endpoint_auth_method": "none", "grant_types": ["authorization_code"],
                "scope": "openid"}
    with get_db(app).transaction() as session:
        register_client(session, metadata=metadata, client_id=client_id,
                        permissions=Permissions(operator=True),
                        fetch_sector=lambda uri: metadata["redirect_uris"])
    return client_id
