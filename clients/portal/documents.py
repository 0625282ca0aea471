"""The civil registry portal issues the citizen's birth certificate through Cédula's documents API.

The agency authenticates with the client credentials grant (RFC 6749 section 4.4, scope
`documents:issue`) and names the citizen by the `sub` its ID token carried. The registry's own
record of the birth is simulated here from the citizen's claims plus fixed demo values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import requests
from authlib.integrations.requests_client import OAuth2Session

from clients.portal.config import PortalConfig
from clients.portal.fapi import FapiClient, FapiError


class IssueError(RuntimeError):
    """The document could not be issued; the message is the provider's error description."""


@dataclass(frozen=True)
class Issued:
    id: str
    csv: str
    verify_url: str


def registry_record(claims: dict[str, Any]) -> dict[str, Any]:
    """The demo registry's entry for this citizen: names and date from the claims."""
    born = date.fromisoformat(str(claims.get("birthdate") or "1990-01-01"))
    folio = int(hashlib.sha256(str(claims.get("sub")).encode()).hexdigest()[:6], 16)
    return {
        "given_names": claims.get("given_name") or "—",
        "surnames": claims.get("family_name") or "—",
        "sex": "unspecified",
        "born_on": born.isoformat(),
        "place_of_birth": {"facility": "Hospital Nacional de Maternidad", "municipality": "San Salvador",
                           "province": "San Salvador", "country": "El Salvador"},
        "parents": [{"relationship": "parent", "full_name": "Según el asiento del registro (demostración)"}],
        "registry": {"office": "Registro del Estado Familiar de San Salvador", "book": str(born.year),
                     "page": str(folio % 400 + 1), "entry": f"{born.year}-{folio % 10000:04d}"},
        "registered_on": (born + timedelta(days=7)).isoformat(),
    }


def _agency_session(config: PortalConfig, client_auth: Any) -> OAuth2Session:
    session = OAuth2Session(config.client_id, client_secret=client_auth.secret,
                            token_endpoint_auth_method=config.auth_method, scope="documents:issue")
    if client_auth.method is not None:
        session.register_client_auth_method(client_auth.method)
    return session


def issue_birth_certificate(config: PortalConfig, *, metadata: dict[str, Any], client_auth: Any,
                            claims: dict[str, Any], language: str, idempotency_key: str,
                            fapi: FapiClient | None = None) -> Issued:
    """Issue through the documents API; a FAPI 2.0 portal (`fapi`) with a DPoP-bound token.
    The same `idempotency_key` (and body) answers the document issued first, never a second."""
    document = {"template": "birth", "subject": claims["sub"], "data": registry_record(claims),
                "language": language}
    response = agency_call(config, metadata=metadata, client_auth=client_auth, fapi=fapi,
                           method="POST", url=f"{config.issuer}/api/documents", json=document,
                           headers={"Idempotency-Key": idempotency_key})
    body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
    if response.status_code != 201:
        raise IssueError(body.get("error_description") or f"HTTP {response.status_code}")
    return Issued(id=body["id"], csv=body["csv"], verify_url=body["verify_url"])


def agency_call(config: PortalConfig, *, metadata: dict[str, Any], client_auth: Any, fapi: FapiClient | None,
                method: str, url: str, json: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> requests.Response:
    """One documents API call with an agency token (client credentials, RFC 6749 section 4.4);
    a FAPI 2.0 portal's token is DPoP-bound."""
    if fapi is not None:
        try:
            token = fapi.token(metadata, {"grant_type": "client_credentials", "scope": "documents:issue"})
            return fapi.call(method, url, token["access_token"], json=json, headers=dict(headers or {}))
        except (FapiError, OSError) as exc:
            raise IssueError(f"no agency token: {exc}") from None
    with _agency_session(config, client_auth) as session:
        try:
            token = session.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
        except Exception as exc:  # authlib raises OAuthError or requests errors
            raise IssueError(f"no agency token: {exc}") from None
    try:
        return requests.request(method, url, timeout=30, json=json,
                                headers={**(headers or {}), "Authorization": f"Bearer {token['access_token']}"})
    except requests.RequestException as exc:
        raise IssueError(f"the documents API did not answer: {exc}") from None


def document_metadata(config: PortalConfig, *, metadata: dict[str, Any], client_auth: Any, fapi: FapiClient | None,
                      document_ids: list[str]) -> list[dict[str, Any]]:
    """`GET /api/documents/{id}` for each document this portal issued (status, title, dates)."""
    found = []
    for document_id in document_ids:
        response = agency_call(config, metadata=metadata, client_auth=client_auth, fapi=fapi, method="GET",
                               url=f"{config.issuer}/api/documents/{quote(document_id, safe='')}")
        if response.status_code != 200:
            raise IssueError(f"HTTP {response.status_code} for document {document_id}")
        found.append(response.json())
    return found


def document_pdf(config: PortalConfig, *, metadata: dict[str, Any], client_auth: Any, fapi: FapiClient | None,
                 document_id: str) -> bytes:
    """`GET /api/documents/{id}/pdf`: the sealed PDF, to hand to the citizen."""
    response = agency_call(config, metadata=metadata, client_auth=client_auth, fapi=fapi, method="GET",
                           url=f"{config.issuer}/api/documents/{quote(document_id, safe='')}/pdf")
    if response.status_code != 200 or not response.content.startswith(b"%PDF-"):
        raise IssueError(f"HTTP {response.status_code} for the PDF of document {document_id}")
    return response.content
