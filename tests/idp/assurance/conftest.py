"""Fixtures for levels of assurance: the test attestation PKI, metadata, proofing, OIDC helpers."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

import pytest

from idp.assurance import METADATA
from idp.webauthn import relying_party
from tests.idp.oidc.conftest import oidc_app, register  # noqa: F401  (fixtures reused here)
from tests.support.attestation import AAGUIDS, AttestationPki, AttestingAuthenticator, pem
from tests.support.components import replace_component

_PKI: AttestationPki | None = None


def shared_pki() -> AttestationPki:
    """The test PKI, built once per test session (deterministic in what it proves)."""
    global _PKI
    if _PKI is None:
        _PKI = AttestationPki.build()
    return _PKI


@pytest.fixture
def pki() -> AttestationPki:
    return shared_pki()


@pytest.fixture
def metadata(fresh_app, pki, tmp_path, monkeypatch):
    """`metadata(entries)` makes a BLOB signed by the test MDS root current for this app."""
    from idp.assurance.mds import MetadataService

    policy = relying_party(fresh_app).attestation
    service = MetadataService(source="", cache=tmp_path / "mds" / "blob.jwt",
                              root_pem=pem(pki.mds_root), timeout=5, retry_seconds=60)
    monkeypatch.setattr(policy, "metadata", service)
    replace_component(monkeypatch, fresh_app, METADATA, service)
    serials = itertools.count(1)

    def load(entries: list[dict]):
        return service.install(pki.blob(entries, no=next(serials)))

    load.service = service
    return load


def all_formats_listed(pki: AttestationPki, **entry) -> list[dict]:
    """Entries for the test authenticators of every format, chained to the test root."""
    from tests.support.attestation import u2f_key_identifier

    entries = [pki.entry(aaguid=AAGUIDS[f], **entry) for f in ("packed-full", "tpm", "android-key",
                                                              "apple")]
    entries.append(pki.entry(key_identifiers=[u2f_key_identifier(pki.u2f_certificate())], **entry))
    return entries


def device_key(pki: AttestationPki, fmt: str = "packed-full", **kwargs) -> AttestingAuthenticator:
    return AttestingAuthenticator(pki=pki, aaguid=AAGUIDS[fmt].bytes, attestation=fmt, **kwargs)


def add_device_key(client, pki: AttestationPki) -> AttestingAuthenticator:
    """An attested, device-bound security key added to the signed-in citizen's passkeys."""
    from tests.idp.conftest import post_json

    device = device_key(pki, counter_step=1)
    options = post_json(client, "/webauthn/registration/options", {}).get_json()
    assert post_json(client, "/webauthn/registration/verify", device.register(options)).status_code == 200
    return device


def enrol_at_level_high(client, app, pki: AttestationPki, metadata, national_id: str):
    """A citizen signed in on `client` at level high: a device-bound attested passkey (every
    format listed in the metadata), proofed in person."""
    from tests.idp.conftest import enrol

    metadata(all_formats_listed(pki))
    person = enrol(client, device_key(pki, counter_step=1), national_id=national_id)
    set_proofing(app, person.citizen_id, "high")
    return person


def proofing(app, citizen_id) -> tuple[str, str]:
    """The citizen's proofing level and method, as the services read them."""
    from idp.assurance.services import proofing_of
    from infra.db import get_db

    with get_db(app).read() as session:
        return proofing_of(session, citizen_id)


def set_proofing(app, citizen_id: str, level: str) -> None:
    from idp.assurance.services import raise_proofing
    from infra.db import get_db

    method = {"substantial": "register_channel", "high": "in_person"}.get(level)
    if method is None:
        return
    with get_db(app).transaction() as session:
        raise_proofing(session, citizen_id=uuid.UUID(citizen_id), method=method,
                       now=datetime.now(UTC))
