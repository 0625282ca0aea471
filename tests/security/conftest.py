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
