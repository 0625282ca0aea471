"""An agency's side of the flow, at HTTP level: register clients, authorize, redeem codes."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.idp.conftest import Enrolled, enrol
from tests.support.basic_auth import basic_auth

REDIRECT = "https://portal.example.gov/callback"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    """The unverified payload of a JWT (the tests verify signatures separately)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def header_of(token: str) -> dict[str, Any]:
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


@dataclass
class Agency:
    """A registered client and what it needs to talk to the provider."""

    client_id: str
    secret: str | None
    redirect_uri: str
    key: ECKey | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def assertion(self, *, aud: str = "http://localhost", jti: str | None = None, exp_in: int = 60,
                  alg: str = "ES256", key: Any = None, **extra: Any) -> str:
        now = int(time.time())
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": aud, "iat": now,
                  "exp": now + exp_in, "jti": jti or secrets.token_urlsafe(12), **extra}
        return jwt.encode({"alg": alg, "kid": "agency-key"}, claims, key or self.key, algorithms=[alg])

    def auth(self, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        """The form and headers that authenticate this client with its registered method."""
        method = self.metadata.get("token_endpoint_auth_method", "client_secret_basic")
        form = dict(form)
        headers: dict[str, str] = {}
        if method == "client_secret_basic":
            headers.update(basic_auth(self.client_id, self.secret))
        elif method == "client_secret_post":
            form.update(client_id=self.client_id, client_secret=self.secret or "")
        elif method == "private_key_jwt":
            form.update(client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        client_assertion=self.assertion())
        else:
            form["client_id"] = self.client_id
        return form, headers


@pytest.fixture
def oidc_app(fresh_app, oidc_key_rows):
    """`fresh_app` with OIDC signing keys: the backend's keys made once (`oidc_key_rows`), put
    back in the emptied tables; a test that already has keys (the document PKI's) keeps them."""
    from keys import get_service
    from tests.conftest import empty_key_tables, key_rows, restore_key_rows

    service = get_service(fresh_app)
    service.invalidate()  # the tables were emptied: forget cached keys
    service.custody.initialise()
    if not service.keyring.keys():
        restore_key_rows(fresh_app, oidc_key_rows)
        if not _keys_sign(service):  # an earlier test pruned them: the store destroyed them
            empty_key_tables(fresh_app)
            service.keyring.bootstrap(service.now())
            oidc_key_rows[:] = key_rows(fresh_app)  # the next tests take these
    service.keyring.bootstrap(service.now())  # does nothing when every algorithm has its key
    return fresh_app


def _keys_sign(service) -> bool:
    from keys.errors import KeyStoreError

    try:
        for info in service.keyring.keys():
            service.custody.store.sign(key=info.key, data=b"")
    except KeyStoreError:
        return False
    return True


def registered_agency(app, *, operator: bool = True, **metadata: Any) -> Agency:
    """Register a client in `app` (by default "Registro Civil", redirecting to REDIRECT, with a
    key made for it if it authenticates with private_key_jwt and brings none)."""
    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db

    metadata.setdefault("client_name", "Registro Civil")
    metadata.setdefault("redirect_uris", [REDIRECT])
    key = None
    if metadata.get("token_endpoint_auth_method") == "private_key_jwt" and "jwks" not in metadata \
            and "jwks_uri" not in metadata:
        key = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
        public = key.as_dict(private=False)
        public["kid"] = "agency-key"
        metadata["jwks"] = {"keys": [public]}
    with get_db(app).transaction() as session:
        registration = register_client(session, metadata=metadata,
                                       permissions=Permissions(operator=operator),
                                       fetch_sector=lambda uri: metadata["redirect_uris"])
        client_id = registration.client.client_id
        validated = dict(registration.client.client_metadata)
    return Agency(client_id, registration.client_secret, metadata["redirect_uris"][0], key, validated)


@pytest.fixture
def register(oidc_app):
    return functools.partial(registered_agency, oidc_app)


@pytest.fixture
def citizen(client) -> Enrolled:
    """A citizen enrolled (and so signed in) in the test browser `client`."""
    return enrol(client)


@dataclass
class Flow:
    """One authorization request: its PKCE verifier, state and nonce."""

    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    state: str = field(default_factory=lambda: secrets.token_urlsafe(8))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(8))


def authorize_url(agency: Agency, flow: Flow, **params: Any) -> str:
    query = {"response_type": "code", "client_id": agency.client_id, "redirect_uri": agency.redirect_uri,
             "scope": "openid profile email", "state": flow.state, "nonce": flow.nonce,
             "code_challenge": s256(flow.verifier), "code_challenge_method": "S256"}
    query.update(params)
    return "/authorize?" + urlencode({k: v for k, v in query.items() if v is not None})


def redirect_params(response, agency: Agency) -> dict[str, str]:
    """The query of a redirect back to the agency (asserting it goes to its redirect URI)."""
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert location.startswith(agency.redirect_uri + "?"), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def decide(client, response, decision: str = "allow", *, ticked: list[str] | None = None):
    """Answer the decision page shown in `response`, with the optional claims `ticked` (by
    default those ticked on the page, as a browser sends them)."""
    import re

    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    interaction = re.search(r'name="interaction" value="([^"]+)"', html).group(1)
    if ticked is None:
        ticked = re.findall(r'name="claim" value="([^"]+)" checked', html)
    return client.post("/authorize/decision", data={"csrf_token": token, "interaction": interaction,
                                                    "decision": decision, "claim": ticked})


def get_code(client, agency: Agency, flow: Flow | None = None, **params: Any) -> tuple[str, Flow]:
    flow = flow or Flow()
    response = client.get(authorize_url(agency, flow, **params))
    if response.status_code == 200:
        response = decide(client, response)
    result = redirect_params(response, agency)
    assert result["state"] == flow.state and result["iss"] == "http://localhost", result
    return result["code"], flow


def token_request(client, agency: Agency, form: dict[str, str], **kwargs: Any):
    form, headers = agency.auth(form)
    return client.post("/token", data=form, headers=headers, **kwargs)


def exchange(client, agency: Agency, code: str, flow: Flow, **overrides: str):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": agency.redirect_uri,
            "code_verifier": flow.verifier}
    form.update(overrides)
    return token_request(client, agency, {k: v for k, v in form.items() if v is not None})


def tokens_for(client, agency: Agency, **params: Any) -> dict[str, Any]:
    code, flow = get_code(client, agency, **params)
    response = exchange(client, agency, code, flow)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def random_uuid() -> str:
    return str(uuid.uuid4())


def declare_purpose(app, agency: Agency, purpose: str) -> None:
    """The agency changes the purpose it declares (RFC 7592 lets it replace its metadata)."""
    from clients.registry import find_client
    from infra.db import get_db

    with get_db(app).transaction() as session:
        found = find_client(session, agency.client_id)
        found.client_metadata = {**found.client_metadata, "purpose": purpose}
