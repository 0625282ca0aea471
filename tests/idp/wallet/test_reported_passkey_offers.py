"""Adding a document to a wallet binds a credential about the citizen to the key of whichever
wallet takes it. A session checked with a passkey whose model the FIDO metadata now reports
compromised (its user verification bypassed, its keys extractable) is worth level low only,
and such a passkey approves no signature (idp.documents.confirmation): it must not put the
citizen's documents in a wallet either (its holder, perhaps a thief, would then present them
as the citizen's own)."""
# ruff: noqa: F811 - fixtures imported from the conftests are parameters here

from __future__ import annotations

import itertools
import re
from urllib.parse import urlsplit

import pytest

from idp.assurance import METADATA
from idp.webauthn import relying_party
from tests.idp.conftest import enrol, sign_in
from tests.idp.documents.conftest import proof_in_person
from tests.idp.oidc.conftest import claims_of, tokens_for
from tests.idp.wallet.conftest import agency_token, issue
from tests.idp.wallet.test_authorization import CALLBACK, WALLET, wallet_client  # noqa: F401
from tests.support.attestation import AAGUIDS, AttestationPki, pem
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.components import replace_component

MODEL = AAGUIDS["packed-full"]


@pytest.fixture
def report(docs_app, tmp_path, monkeypatch):
    """`report(statuses)`: FIDO metadata for the test model, with these statuses, made current."""
    from idp.assurance.mds import MetadataService
    from tests.idp.assurance.conftest import shared_pki

    pki: AttestationPki = shared_pki()
    service = MetadataService(source="", cache=tmp_path / "mds" / "blob.jwt",
                              root_pem=pem(pki.mds_root), timeout=5, retry_seconds=60)
    monkeypatch.setattr(relying_party(docs_app).attestation, "metadata", service)
    replace_component(monkeypatch, docs_app, METADATA, service)
    serials = itertools.count(1)
    return lambda statuses: service.install(pki.blob([pki.entry(aaguid=MODEL, statuses=statuses)],
                                                     no=next(serials)))


@pytest.fixture
def citizen(web, agency, report):
    """A citizen with one passkey of the test model, proofed in person, holding a birth
    certificate; then the model is reported (user verification bypass)."""
    report(["FIDO_CERTIFIED"])
    key = SoftwareAuthenticator(aaguid=MODEL.bytes)
    enrolled = enrol(web, key)
    proof_in_person(web.application, enrolled.citizen_id)
    sub = claims_of(tokens_for(web, agency, scope="openid profile")["id_token"])["sub"]
    document = issue(web, agency_token(web, agency), subject=sub)
    report(["FIDO_CERTIFIED", "USER_VERIFICATION_BYPASS"])
    return key, document


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_reported_passkey_makes_no_wallet_offer(docs_app, citizen):
    """Before: the thief, signed in with the reported model, got the offer and its
    transaction code (200)."""
    key, document = citizen
    thief = docs_app.test_client()
    assert sign_in(thief, key).status_code == 200
    path = f"/account/documents/{document['id']}/wallet"
    refused = thief.post(path, data={"csrf_token": _csrf(thief.get(path).get_data(as_text=True))},
                         headers={"Accept-Language": "en"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403, html[:400]
    assert 'id="offer-tx-code"' not in html and "openid-credential-offer://" not in html
    assert "reported a security problem" in html


def test_a_reported_passkey_gives_a_wallet_client_no_code(docs_app, citizen, holder, wallet_client):
    key, _document = citizen
    thief = docs_app.test_client()
    assert sign_in(thief, key).status_code == 200
    holder.discover("http://localhost")
    url, _verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK,
                                              scope="birth_certificate")
    html = thief.get(urlsplit(url).path + "?" + urlsplit(url).query).get_data(as_text=True)
    refused = thief.post("/wallet/authorize", headers={"Accept-Language": "en"}, data={
        "csrf_token": _csrf(html),
        "interaction": re.search(r'name="interaction" value="([^"]+)"', html).group(1),
        "decision": "allow"})
    assert refused.status_code == 403, (refused.status_code, refused.headers.get("Location"))
    assert "reported a security problem" in refused.get_data(as_text=True)
