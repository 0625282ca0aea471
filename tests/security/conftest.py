"""A live `cedula serve` per backend, shared by the attack tests that need real threads
against a real server (races, stalls)."""

from __future__ import annotations

import pytest

from tests.idp.oidc.conftest import citizen, oidc_app, register  # noqa: F401 - fixtures
from tests.support.live import LiveServer, live_server


@pytest.fixture(scope="session")
def live(backend, tmp_path_factory) -> LiveServer:
    with live_server(backend, tmp_path_factory.mktemp(f"live-{backend.name}")) as server:
        yield server


API_A = "https://api.hacienda.example.gov/declaraciones"
API_B = "https://api.registro.example.gov/partidas"
ISSUER = "http://localhost"  # the test applications' issuer


@pytest.fixture
def agency_with_apis(oidc_app, register):  # noqa: F811 - the fixtures imported above
    """An agency (code flow, refresh tokens) allowed to ask for tokens for the APIs given, each
    `{identifier: (name, scopes it accepts)}`, registered by another client as their owner."""
    from datetime import UTC, datetime

    from idp.oidc import resources
    from idp.oidc.request import SCOPES
    from infra.db import get_db

    def make(apis: dict[str, tuple[str, list[str]]]):
        agency = register(grant_types=["authorization_code", "refresh_token"],
                          scope="openid profile email offline_access")
        owner = register(client_name="API")
        with get_db(oidc_app).transaction() as session:
            now = datetime.now(UTC)
            for identifier, (name, scopes) in apis.items():
                resources.register(session, identifier=identifier, name=name, scopes=scopes,
                                   clients=[agency.client_id], owner=owner.client_id, now=now, offered=SCOPES,
                                   issuer=ISSUER)
        return agency

    return make
