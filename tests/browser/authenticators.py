"""Chromium's virtual authenticators (CDP WebAuthn domain) and the attestation metadata that makes
their passkeys trusted: what the step-up, registrar and operator journeys start from.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import cbor2
from cryptography import x509

from idp.assurance import METADATA
from idp.webauthn import relying_party
from infra.db import get_db
from tests.browser.chromium import Browser
from tests.browser.flows import continue_to_account, enrol, new_person
from tests.support.attestation import AttestationPki, pem
from tests.support.components import replace_component

_CAPTURE = """
const done = arguments[arguments.length - 1];
navigator.credentials.create({publicKey: {
  rp: {name: "probe"}, user: {id: new Uint8Array([7]), name: "probe", displayName: "probe"},
  challenge: new Uint8Array(32), pubKeyCredParams: [{type: "public-key", alg: -7}],
  attestation: "direct", authenticatorSelection: {residentKey: "discouraged", userVerification: "required"}
}}).then(c => done(c.toJSON().response.attestationObject)).catch(e => done("error: " + e));
"""


def add_authenticator(browser: Browser, *, synced: bool) -> str:
    """A CTAP2 authenticator with user verification (CDP WebAuthn domain): the synced one built
    in (Chromium allows one), the device-bound one a USB security key."""
    return browser.driver.execute_cdp_cmd("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal" if synced else "usb", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
        "defaultBackupEligibility": synced, "defaultBackupState": synced}})["authenticatorId"]


def responds(browser: Browser, authenticator: str, on: bool) -> None:
    """Whether this authenticator answers (its user touches it)."""
    browser.driver.execute_cdp_cmd("WebAuthn.setAutomaticPresenceSimulation",
                                   {"authenticatorId": authenticator, "enabled": on})


def chromium_attestation(browser: Browser) -> tuple[uuid.UUID, x509.Certificate]:
    """The AAGUID and batch attestation certificate of Chromium's virtual authenticator."""
    probe = add_authenticator(browser, synced=False)
    raw = browser.driver.execute_async_script(_CAPTURE)
    browser.driver.execute_cdp_cmd("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": probe})
    assert not raw.startswith("error"), raw
    attestation = cbor2.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    assert attestation["fmt"] == "packed" and attestation["attStmt"].get("x5c"), attestation["fmt"]
    aaguid = uuid.UUID(bytes=attestation["authData"][37:53])
    return aaguid, x509.load_der_x509_certificate(attestation["attStmt"]["x5c"][0])


def install_metadata(app, tmp_path, monkeypatch, entries, pki: AttestationPki) -> None:
    from idp.assurance.mds import MetadataService

    service = MetadataService(source="", cache=tmp_path / "mds" / "blob.jwt",
                              root_pem=pem(pki.mds_root), timeout=5, retry_seconds=60)
    monkeypatch.setattr(relying_party(app).attestation, "metadata", service)
    replace_component(monkeypatch, app, METADATA, service)
    service.install(pki.blob(entries))


def trust_chromium_authenticators(browser: Browser, app, tmp_path, monkeypatch) -> None:
    """Turn on the CDP WebAuthn domain and install metadata (from a test MDS) that lists
    Chromium's virtual authenticator, so the passkeys it makes are attested and trusted."""
    browser.open("/")
    browser.driver.execute_cdp_cmd("WebAuthn.enable", {"enableUI": False})
    aaguid, batch = chromium_attestation(browser)
    pki = AttestationPki.build()
    install_metadata(app, tmp_path, monkeypatch,
                     [pki.entry(aaguid=aaguid, roots=[batch], description="Chromium virtual")], pki)


def enrol_proofed_in_person(browser: Browser, app, tmp_path, monkeypatch) -> uuid.UUID:
    """A citizen enrolled in this browser with an attested, device-bound security key and
    proofed in person, so this sign-in is at level high (a console's staff); their id."""
    from idp.assurance.services import raise_proofing
    from idp.citizens.models import Citizen

    trust_chromium_authenticators(browser, app, tmp_path, monkeypatch)
    add_authenticator(browser, synced=False)
    enrol(browser, new_person())
    continue_to_account(browser)
    with get_db(app).transaction() as session:
        citizen = session.query(Citizen).one()
        raise_proofing(session, citizen_id=citizen.id, method="in_person", now=datetime.now(UTC))
        return citizen.id


def enrol_registrar(browser: Browser, app, tmp_path, monkeypatch) -> uuid.UUID:
    """`enrol_proofed_in_person`, then made a registrar at a service point; their id."""
    from idp.citizens.models import Citizen
    from idp.registrar.services import grant

    registrar_id = enrol_proofed_in_person(browser, app, tmp_path, monkeypatch)
    with get_db(app).transaction() as session:
        grant(session, citizen=session.get(Citizen, registrar_id), service_point="Oficina Centro",
              operator="tester", now=datetime.now(UTC))
    return registrar_id
