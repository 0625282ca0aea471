from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.idp.assurance.conftest import (  # noqa: F401
    all_formats_listed,
    enrol_at_level_high,
    metadata,
    oidc_app,
    pki,
    register,
    set_proofing,
)
from tests.idp.conftest import dui


def grant_operator(app, citizen_id: str) -> None:
    from idp.citizens.models import Citizen
    from idp.operator import services
    from idp.registrar.services import Actor
    from infra.db import get_db

    with get_db(app).transaction() as session:
        citizen = session.get(Citizen, uuid.UUID(citizen_id))
        services.grant(session, citizen=citizen, by=Actor.operator("tester"), now=datetime.now(UTC))


@pytest.fixture
def operator(client, oidc_app, pki, metadata):  # noqa: F811
    """An operator signed in at level high (device-bound attested passkey, proofed in person)."""
    person = enrol_at_level_high(client, oidc_app, pki, metadata, dui(44444444))
    grant_operator(oidc_app, person.citizen_id)
    return person


def pages_from(client, path: str | None, older: Callable[[str], str | None], *, most: int) -> list[str]:
    """The HTML of each console page from `path` on, following the link to older entries that
    `older` finds, while there is one; each page answers 200, and there are at most `most`."""
    pages: list[str] = []
    while path is not None:
        response = client.get(path)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        pages.append(html)
        assert len(pages) <= most
        path = older(html)
    return pages
