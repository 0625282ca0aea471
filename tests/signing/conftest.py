"""Fixtures for documents: the PKI built once per backend, restored before each test.

Building a PKI (CA keys, certificates, CRLs) takes a while, so it is made once per backend
and its rows are copied back after `fresh_app` empties the tables, as pyHanko builds its
test PKI once. The software key store's master key lives in the app's data dir, which
outlives the tests, so the restored wrapped keys still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from infra.config import get_settings
from infra.db import get_db

AGENCY = "registro-civil"
AGENCY_NAME = "Registro Civil de San Salvador"
OTHER_AGENCY = "hacienda"


@dataclass
class FakeDirectory:
    """Citizens and agencies for `signing` tests, which must not need the identity provider."""

    agencies: dict[str, str] = field(default_factory=lambda: {
        AGENCY: AGENCY_NAME, OTHER_AGENCY: "Ministerio de Hacienda"})
    citizens: dict = field(default_factory=dict)

    def citizen(self, citizen_id):
        return self.citizens.get(citizen_id)

    def citizen_by_national_id(self, national_id):
        return next((c for c in self.citizens.values() if c.national_id == national_id), None)

    def agency_name(self, client_id, language=None):
        return self.agencies.get(client_id)

    def agency_names(self, session, client_ids, locale):
        return {c: self.agencies[c] for c in client_ids if c in self.agencies}


def _key_tables():
    from keys.models import Base

    return Base.metadata.sorted_tables


CIVIL_REGISTRY_SEAL = (AGENCY, AGENCY_NAME, "VATSV-0614-010101-001-1")
TREASURY_SEAL = (OTHER_AGENCY, "Ministerio de Hacienda", "VATSV-0614-020202-002-2")


def bootstrap_pki(app, seals=(CIVIL_REGISTRY_SEAL,)) -> None:
    """Key store, OIDC keys, the document PKI, and a seal certificate for each
    (client_id, organization name, organization identifier) in `seals`."""
    from keys import get_service, issue_seal_certificate

    service = get_service(app)
    service.invalidate()
    service.custody.initialise()
    now = datetime.now(UTC)
    service.keyring.bootstrap(now)
    service.pki.init(now)
    for client_id, name, identifier in seals:
        issue_seal_certificate(service, client_id=client_id, organization_name=name,
                               organization_identifier=identifier)


def key_rows(app) -> list[tuple[sa.Table, list[dict]]]:
    """Every row of the key tables, to put back with `restore_pki` after the tables are emptied."""
    with get_db(app).engine.connect() as conn:
        return [(table, [dict(row._mapping) for row in conn.execute(sa.select(table))])
                for table in _key_tables()]


@pytest.fixture(scope="session")
def pki_rows(app):
    """Key store, OIDC keys, PKI and two agencies' seal certificates, made once per backend."""
    from tests.conftest import empty_store, empty_tables

    empty_tables(app)
    empty_store(app)
    bootstrap_pki(app, seals=(CIVIL_REGISTRY_SEAL, TREASURY_SEAL))
    return key_rows(app)


def restore_pki(app, rows) -> None:
    from tests.conftest import restore_key_rows

    restore_key_rows(app, rows)


@pytest.fixture
def pki_app(fresh_app, pki_rows):
    """`fresh_app` with the session's PKI and seal certificates back in place."""
    restore_pki(fresh_app, pki_rows)
    return fresh_app


@pytest.fixture(scope="session")
def _services(app):
    from keys import get_service
    from signing.service import DocumentService

    return DocumentService(settings=get_settings(app), database=get_db(app),
                           key_service=get_service(app), directory=FakeDirectory())


@pytest.fixture
def documents(pki_app, _services):
    """A DocumentService on a fake directory, its caches emptied (tables were restored)."""
    _services.directory = FakeDirectory()
    _services.sealer._seals.clear()
    _services.sealer._revocation.clear()
    return _services


@pytest.fixture
def citizen():
    from signing.service import CitizenRef

    return CitizenRef(id="5b0c1b9e-2f43-4a8e-9d0c-6f1f3e3b8a11", given_name="María José",
                      family_name="Núñez Peña", national_id="04892613-3")


@pytest.fixture
def parsed(monkeypatch):
    """Every PDF object pyHanko parses, counted, whether or not the parser patches
    (`signing.pdf_parsing.install`) are in place yet: the list grows by one per object."""
    from pyhanko.pdf_utils import generic

    from signing import pdf_parsing

    seen: list[int] = []
    original = pdf_parsing._read_object

    def counting(*args, **kwargs):
        seen.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(pdf_parsing, "_read_object", counting)
    monkeypatch.setattr(generic, "read_object", counting)
    return seen
