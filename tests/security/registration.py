"""Dynamic client registration (RFC 7591) as the registration attack tests send it: the least
metadata a registration needs, and an initial access token that allows three registrations."""

from __future__ import annotations

import pytest

from clients.registry.services import issue_initial_token

METADATA = {"client_name": "Hacienda", "redirect_uris": ["https://h.example.gov/cb"]}


@pytest.fixture
def initial_token(fresh_app):
    from infra.db import get_db

    with get_db(fresh_app).transaction() as session:
        return issue_initial_token(session, uses=3)
