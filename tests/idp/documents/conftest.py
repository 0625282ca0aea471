"""An agency allowed to issue documents, a citizen who signed in to it, and the PKI."""

from __future__ import annotations

import pytest

from tests.idp.conftest import enrol
from tests.idp.oidc.conftest import REDIRECT, Agency, claims_of, tokens_for
from tests.signing.conftest import AGENCY, AGENCY_NAME, pki_app, pki_rows  # noqa: F401 - fixtures
from tests.support.basic_auth import basic_auth


@pytest.fixture
def docs_app(pki_app):  # noqa: F811
    from signing.service import get_documents

    service = get_documents(pki_app)
    service.sealer._seals.clear()
    service.sealer._revocation.clear()
    return pki_app


@pytest.fixture
def web(docs_app):
    return docs_app.test_client()


def register(app, *, client_id: str = AGENCY, scope: str = "openid profile documents:issue",
             grant_types=("authorization_code", "refresh_token", "client_credentials"),
             **extra) -> Agency:
    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db

    metadata = {"client_name": AGENCY_NAME, "redirect_uris": [REDIRECT], "scope": scope,
                "grant_types": list(grant_types), "security_profile": "oidc", **extra}
    with get_db(app).transaction() as session:
        registration = register_client(session, metadata=metadata, client_id=client_id,
                                       permissions=Permissions(operator=True),
                                       fetch_sector=lambda uri: metadata["redirect_uris"])
        return Agency(client_id, registration.client_secret, REDIRECT, None,
                      dict(registration.client.client_metadata))


@pytest.fixture
def agency(docs_app) -> Agency:
    return register(docs_app)


def agency_token(web, agency: Agency, scope: str | None = None) -> str:
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    response = web.post("/token", data=form, headers=basic_auth(agency.client_id, agency.secret))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def proof_in_person(app, citizen_id: str) -> None:
    """A registrar checked the citizen's identity document (level high): signing needs at
    least documents.minimum_signing_level (substantial)."""
    import uuid
    from datetime import UTC, datetime

    from idp.assurance.services import raise_proofing
    from infra.db import get_db

    with get_db(app).transaction() as session:
        raise_proofing(session, citizen_id=uuid.UUID(citizen_id), method="in_person",
                       now=datetime.now(UTC))


def consented_sub(web, agency: Agency) -> str:
    """The signed-in citizen of `web` signs in to `agency` too (consenting): its sub for them."""
    return claims_of(tokens_for(web, agency, scope="openid profile")["id_token"])["sub"]


@pytest.fixture
def signed_in(web, agency):
    """A citizen enrolled in `web`, proofed in person, who signed in to the agency:
    (enrolled, sub for the agency)."""
    enrolled = enrol(web)
    proof_in_person(web.application, enrolled.citizen_id)
    tokens = tokens_for(web, agency, scope="openid profile")
    return enrolled, claims_of(tokens["id_token"])["sub"]


def assert_replayed(first, again) -> None:
    """`again` (a retry with the same Idempotency-Key) is `first`'s 201 replayed: the same body
    and Location, marked `Idempotent-Replayed: true` (which the first answer is not)."""
    assert again.status_code == 201, again.get_json()
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
