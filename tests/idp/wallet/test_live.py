"""Issuing to a wallet end to end over HTTP against a live `cedula serve`: an agency issues a
birth certificate, the citizen asks for an offer on its page, the software wallet follows the
offer (metadata, token, nonce, key proof, credential), and the attacks on the way fail. Then
the agency revokes the document and the published status list says so."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests
from cryptography import x509

from idp.wallet import sd_jwt_vc, status_list, trust
from tests.signing import samples
from tests.support.basic_auth import basic_auth
from tests.support.live import Citizen, LiveServer, live_server
from tests.support.wallet import SoftwareWallet, Transport, register_wallet_client


@pytest.fixture(scope="module")
def live(backend, tmp_path_factory):
    if backend.name != "embedded":
        pytest.skip("one live server is enough here: the in-process tests run on both backends")
    with live_server(backend, tmp_path_factory.mktemp("live-wallet")) as server:
        from tests.browser.agency import build_pki, register_agency

        build_pki(server.app)
        agency = register_agency(server.app, server.base)
        yield server, agency


def _basic(agency) -> dict[str, str]:
    return basic_auth(agency.client_id, agency.secret)


def _agency_bearer(server: LiveServer, agency) -> dict[str, str]:
    token = requests.post(server.url("/token"), headers=_basic(agency), timeout=30,
                          data={"grant_type": "client_credentials"})
    assert token.status_code == 200, token.text
    return {"Authorization": "Bearer " + token.json()["access_token"]}


def _subject(server: LiveServer, agency, citizen: Citizen) -> str:
    """The citizen signs in to the agency once: the agency's `sub` for them."""
    query = citizen.authorize(server.url(agency.authorize_path()), agency.redirect_uri)
    token = requests.post(server.url("/token"), headers=_basic(agency), timeout=30, data={
        "grant_type": "authorization_code", "code": query["code"],
        "redirect_uri": agency.redirect_uri, "code_verifier": agency.verifier})
    assert token.status_code == 200, token.text
    payload = token.json()["id_token"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


def _offer(server: LiveServer, citizen: Citizen, document_id: str) -> tuple[str, str]:
    page = citizen.browser.get(server.url(f"/account/documents/{document_id}/wallet"), timeout=30)
    assert page.status_code == 200, page.text[:300]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    shown = citizen.browser.post(server.url(f"/account/documents/{document_id}/wallet"),
                                 data={"csrf_token": csrf}, timeout=30)
    assert shown.status_code == 200, shown.text[:300]
    assert '<svg' in shown.text and 'class="qr"' in shown.text
    link = re.search(r'id="offer-link" href="([^"]+)"', shown.text).group(1).replace("&amp;", "&")
    return link, re.search(r'id="offer-tx-code" class="csv">(\d+)<', shown.text).group(1)


def test_issuance_to_a_software_wallet_over_http_with_its_attacks_and_revocation(live):
    server, agency = live
    citizen = Citizen(server)
    bearer = _agency_bearer(server, agency)
    issued = requests.post(server.url("/api/documents"), headers=bearer, timeout=120, json={
        "template": "birth", "subject": _subject(server, agency, citizen),
        "data": samples.BIRTH})
    assert issued.status_code == 201, issued.text
    document = issued.json()

    wallet = SoftwareWallet(Transport(session=requests.Session()))
    link, tx_code = _offer(server, citizen, document["id"])
    offer = wallet.resolve_offer(link)
    metadata = wallet.discover(offer["credential_issuer"])
    assert metadata["credential_issuer"] == server.base
    configuration = offer["credential_configuration_ids"][0]
    assert metadata["credential_configurations_supported"][configuration]["format"] == "dc+sd-jwt"
    assert wallet.token(offer, tx_code).status == 200

    # the attacks on the key proof
    wrong_nonce = wallet.request_credential(configuration, [wallet.proof(nonce="n" * 43)])
    assert (wrong_nonce.status, wrong_nonce.body["error"]) == (400, "invalid_nonce")
    wrong_aud = wallet.request_credential(configuration, [wallet.proof(
        nonce=wallet.nonce(), audience="https://attacker.example")])
    assert (wrong_aud.status, wrong_aud.body["error"]) == (400, "invalid_proof")
    c_nonce = wallet.nonce()
    proof = wallet.proof(nonce=c_nonce)
    reply = wallet.request_credential(configuration, [proof])
    assert reply.status == 200, reply.text
    replayed = wallet.request_credential(configuration, [proof])
    assert (replayed.status, replayed.body["error"]) == (400, "invalid_nonce")

    credential = reply.body["credentials"][0]["credential"]
    assert wallet.notify(reply.body["notification_id"]).status == 204
    header = sd_jwt_vc.unverified_header(credential.split("~")[0])
    assert header["typ"] == "dc+sd-jwt"
    root = x509.load_der_x509_certificate(
        requests.get(server.url("/pki/ca/root.cer"), timeout=30).content)
    presentation = wallet.present(_held(credential), reveal=[("born_on",)], nonce="n-live-0001",
                                  audience="https://verifier.example")
    verified = sd_jwt_vc.verify(presentation, anchors=[root], now=datetime.now(UTC),
                                nonce="n-live-0001", audience="https://verifier.example")
    assert verified.claims["born_on"] == samples.BIRTH["born_on"]

    uri = verified_status_uri(credential)
    assert _status(uri, root, credential) == status_list.VALID
    assert requests.get(server.url(f"/api/verify/{document['csv']}"), timeout=30).json()[
        "other_forms"][0]["status"] == "valid"

    revoked = requests.post(server.url(f"/api/documents/{document['id']}/revoke"), headers=bearer,
                            json={"reason": "Inscripción rectificada"}, timeout=30)
    assert revoked.status_code == 200, revoked.text
    assert _status(uri, root, credential) == status_list.INVALID
    assert requests.get(server.url(f"/api/verify/{document['csv']}"), timeout=30).json()[
        "other_forms"][0]["status"] == "revoked"
    again = wallet.request_credential(configuration, [wallet.proof(nonce=wallet.nonce())])
    assert (again.status, again.body["error"]) == (409, "not_offered")


def _held(credential: str):
    from tests.support.wallet import HeldCredential

    return HeldCredential(credential)


def verified_status_uri(credential: str) -> str:
    from tests.support.wallet import HeldCredential

    return HeldCredential(credential).payload["status"]["status_list"]["uri"]


def _status(uri: str, root: x509.Certificate, credential: str) -> int:
    from joserfc.jwk import ECKey

    from tests.support.wallet import HeldCredential

    assert urlsplit(uri).hostname == "localhost"
    response = requests.get(uri, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/statuslist+jwt")
    header = sd_jwt_vc.unverified_header(response.text)
    chain = trust.check_chain(header["x5c"], anchors=[root], now=datetime.now(UTC))
    _, claims = sd_jwt_vc.verify_jws(response.text, ECKey.import_key(chain.public_key_pem),
                                     [header["alg"]])
    listed = status_list.check_token_claims(claims, expected_uri=uri, now=datetime.now(UTC).timestamp())
    index = HeldCredential(credential).payload["status"]["status_list"]["idx"]
    return status_list.decode_status(listed["lst"], index, bits=listed["bits"])


def test_authorization_code_flow_with_dpop_over_http(live):
    """A registered public wallet, PKCE and DPoP, the citizen's consent in their browser."""
    from urllib.parse import parse_qs

    from joserfc.jwk import ECKey

    server, agency = live
    citizen = Citizen(server, national_id=_other_dui(), email="otra@example.sv")
    bearer = _agency_bearer(server, agency)
    issued = requests.post(server.url("/api/documents"), headers=bearer, timeout=120, json={
        "template": "birth", "subject": _subject(server, agency, citizen), "data": samples.BIRTH})
    assert issued.status_code == 201, issued.text
    callback = "https://wallet.example/callback"
    register_wallet_client(server.app, "cartera-live", callback)

    wallet = SoftwareWallet(Transport(session=requests.Session()), dpop_key=ECKey.generate_key("P-256"))
    wallet.discover(server.base)
    url, verifier = wallet.authorization_url(client_id="cartera-live", redirect_uri=callback,
                                             configuration_id="birth_dc+sd-jwt")
    page = citizen.browser.get(url, timeout=30)
    assert page.status_code == 200 and "Cartera Ejemplo" in page.text
    decided = citizen.browser.post(server.url("/wallet/authorize"), allow_redirects=False, timeout=30, data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1),
        "interaction": re.search(r'name="interaction" value="([^"]+)"', page.text).group(1),
        "decision": "allow"})
    assert decided.status_code == 303, decided.text[:300]
    answer = {k: v[0] for k, v in parse_qs(urlsplit(decided.headers["Location"]).query).items()}
    assert answer["iss"] == server.base + "/wallet"
    token = wallet.token_with_code_dpop(code=answer["code"], client_id="cartera-live",
                                        redirect_uri=callback, verifier=verifier)
    assert token.status == 200 and token.body["token_type"] == "DPoP", token.text
    reply = wallet.request_credential("birth_dc+sd-jwt", [wallet.proof(nonce=wallet.nonce())])
    assert reply.status == 200, reply.text


def _other_dui() -> str:
    from tests.idp.conftest import dui

    return dui(3141592)
