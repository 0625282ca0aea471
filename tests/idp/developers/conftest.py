"""Fixtures of the agency-developer reviews' tests."""

from __future__ import annotations

import pytest

from clients.registry.services import issue_initial_token
from infra.db import get_db


@pytest.fixture
def initial(fresh_app) -> dict[str, str]:
    """The `Authorization` header of an initial access token for `POST /register` (3 uses)."""
    with get_db(fresh_app).transaction() as session:
        return {"Authorization": "Bearer " + issue_initial_token(session, uses=3)}
