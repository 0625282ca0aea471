"""An agency on the live server: its registration, the document PKI with its seal, its side of
the code flow and of the documents API (at HTTP level, through the app's test client).

Building the PKI (CA, TSA, OCSP, the seal certificate) takes a while, so `PkiRows` keeps the
key tables once made and puts them back after each test emptied the tables, as the signing
tests do (tests/signing/conftest.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import sqlalchemy as sa
from flask import Flask

from infra.db import get_db
from tests.idp.oidc.conftest import claims_of
from tests.signing import samples
from tests.signing.conftest import AGENCY, AGENCY_NAME, bootstrap_pki, key_rows
from tests.support.basic_auth import basic_auth

PURPOSE = "Emitir tu certificado de residencia y avisarte cuando esté listo"


def build_pki(app: Flask) -> list[tuple[sa.Table, list[dict]]]:
    """Key store, OIDC keys, document PKI and the agency's seal certificate; the key rows."""
    bootstrap_pki(app)
    return key_rows(app)


def restore_pki(app: Flask, rows: list[tuple[sa.Table, list[dict]]]) -> None:
    from keys import get_service
    from signing.service import get_documents

    with get_db(app).engine.begin() as conn:
        # A background worker may have made keys since the tables were emptied: replace them.
        for table, _ in reversed(rows):
            conn.execute(sa.delete(table))
        for table, values in rows:
            if values:
                conn.execute(sa.insert(table), values)
    get_service(app).invalidate()
    documents = get_documents(app)
    documents.sealer._seals.clear()
    documents.sealer._revocation.clear()


@dataclass
class Agency:
    """A registered agency with a confidential client, and one authorization request."""

    app: Flask
    base_url: str
    client_id: str
    secret: str
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def redirect_uri(self) -> str:
        return f"{self.base_url}/agency-callback"

    @property
    def after_logout(self) -> str:
        return f"{self.base_url}/agency-signed-out"

    def authorize_path(self, **params: str) -> str:
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(self.verifier.encode()).digest()).rstrip(b"=").decode()
        query = {"response_type": "code", "client_id": self.client_id,
                 "redirect_uri": self.redirect_uri, "scope": "openid profile email",
                 "state": "st-1", "nonce": "n-1", "code_challenge": challenge,
                 "code_challenge_method": "S256", **params}
        return "/authorize?" + urlencode(query)

    def _basic(self) -> dict[str, str]:
        return basic_auth(self.client_id, self.secret)

    def redeem(self, callback_url: str) -> tuple[dict, dict]:
        """The ID token's claims and UserInfo for the code in the callback URL (RFC 6749
        section 4.1.3, OIDC Core 5.3)."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}
        assert "code" in query, f"the agency got no code: {query}"
        response = self.app.test_client().post("/token", headers=self._basic(), data={
            "grant_type": "authorization_code", "code": query["code"],
            "redirect_uri": self.redirect_uri, "code_verifier": self.verifier})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        info = self.app.test_client().get(
            "/userinfo", headers={"Authorization": "Bearer " + body["access_token"]})
        assert info.status_code == 200, info.get_json()
        return claims_of(body["id_token"]), info.get_json()

    def issue_residence(self, subject: str, language: str = "es") -> tuple[dict, bytes]:
        """A sealed residence certificate for `subject`: its metadata and its PDF."""
        web = self.app.test_client()
        token = web.post("/token", headers=self._basic(), data={"grant_type": "client_credentials"})
        assert token.status_code == 200, token.get_json()
        bearer = {"Authorization": "Bearer " + token.get_json()["access_token"]}
        response = web.post("/api/documents", headers=bearer, content_type="application/json",
                            data=json.dumps({"template": "residence", "data": samples.RESIDENCE,
                                             "subject": subject, "language": language}))
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        pdf = web.get(f"/api/documents/{body['id']}/pdf", headers=bearer)
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        return body, pdf.data


def register_agency(app: Flask, base_url: str) -> Agency:
    """The civil registry: sign-in with consent, logout, and issuing sealed documents."""
    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db

    agency = Agency(app, base_url, AGENCY, "")
    metadata = {"client_name": AGENCY_NAME, "redirect_uris": [agency.redirect_uri],
                "post_logout_redirect_uris": [agency.after_logout], "purpose": PURPOSE,
                "scope": "openid profile email documents:issue", "security_profile": "oidc",
                "grant_types": ["authorization_code", "refresh_token", "client_credentials"]}
    with get_db(app).transaction() as session:
        registration = register_client(session, metadata=metadata, client_id=AGENCY,
                                       permissions=Permissions(operator=True),
                                       fetch_sector=lambda uri: metadata["redirect_uris"])
        agency.secret = registration.client_secret
    return agency
