"""A citizen with a birth certificate issued by an agency, and a software wallet in-process."""
# ruff: noqa: F811 - the fixtures imported above are parameters of the ones below

from __future__ import annotations

import json
import re

import pytest

from tests.idp.documents.conftest import (  # noqa: F401 - fixtures
    agency,
    agency_token,
    docs_app,
    pki_app,
    pki_rows,
    signed_in,
    web,
)
from tests.idp.oidc.conftest import bearer
from tests.signing import samples
from tests.support.wallet import SoftwareWallet, Transport


def issue(web, token, template="birth", **body):
    payload = {"template": template, "subject": body.pop("subject"),
               "data": samples.SAMPLES[template], **body}
    response = web.post("/api/documents", data=json.dumps(payload),
                        content_type="application/json", headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def birth(web, agency, signed_in):
    _, sub = signed_in
    return issue(web, agency_token(web, agency), subject=sub)


def seal_root(app):
    """The provider's seal root certificate: the trust anchor of what the wallet is issued."""
    from cryptography import x509

    from keys.seal_jws import root_certificate_der

    return x509.load_der_x509_certificate(root_certificate_der(app))


def new_offer(web, document_id: str) -> tuple[str, str]:
    """The citizen presses "Show the QR code": (same-device link, transaction code)."""
    page = web.get(f"/account/documents/{document_id}/wallet").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = web.post(f"/account/documents/{document_id}/wallet", data={"csrf_token": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    link = re.search(r'id="offer-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    tx_code = re.search(r'id="offer-tx-code" class="csv">(\d+)<', html).group(1)
    return link, tx_code



def token_ready(web, birth, holder) -> str:
    """The holder took the offer of `birth` and holds an access token: the configuration id
    it may ask a credential for."""
    link, tx_code = new_offer(web, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    assert holder.token(offer, tx_code).status == 200
    return offer["credential_configuration_ids"][0]

@pytest.fixture
def holder(web):
    return SoftwareWallet(Transport(flask_client=web.application.test_client()))
