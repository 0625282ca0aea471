"""Shared fixtures of the agency registry's tests."""

from __future__ import annotations

import pytest

from clients.registry.services import issue_initial_token
from infra.db import get_db

BASE = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}


@pytest.fixture
def register(client, fresh_app):
    """Register a portal by dynamic client registration (`BASE` plus `metadata`), with a
    one-use initial access token: the 201 answer's JSON."""
    def register(metadata):
        with get_db(fresh_app).transaction() as session:
            token = issue_initial_token(session, uses=1)
        created = client.post("/register", json={**BASE, **metadata}, headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201, created.get_json()
        return created.get_json()
    return register
