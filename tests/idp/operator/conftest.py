from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.idp.assurance.conftest import all_formats_listed, device_key, metadata, oidc_app, pki, register, set_proofing  # noqa: F401
from tests.idp.conftest import dui, enrol


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
    metadata(all_formats_listed(pki))
    person = enrol(client, device_key(pki, counter_step=1), national_id=dui(44444444))
    set_proofing(oidc_app, person.citizen_id, "high")
    grant_operator(oidc_app, person.citizen_id)
    return person
