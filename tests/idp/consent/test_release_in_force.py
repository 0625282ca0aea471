"""`record_release` without an explicit consent (the token endpoint's path) logged the release
under the citizen's newest consent for the agency, even a withdrawn or superseded one: it must
name the consent in force for that agency, or refuse the release when none is in force."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.idp.consent.conftest import log_of
from tests.idp.oidc.conftest import tokens_for


def _consents(app, citizen_id: str):
    from idp.consent.models import Consent
    from infra.db import get_db

    with get_db(app).read() as session:
        return list(session.scalars(sa.select(Consent).where(Consent.citizen_id == uuid.UUID(citizen_id))
                                    .order_by(Consent.given_at)))


def _change(app, consent_id, **values) -> None:
    from idp.consent.models import Consent
    from infra.db import get_db

    with get_db(app).transaction() as session:
        session.execute(sa.update(Consent).where(Consent.id == consent_id).values(**values))


def _release(app, citizen_id: str, client_id: str, now: datetime):
    from idp.consent.services import record_release
    from infra.db import get_db

    with get_db(app).transaction() as session:
        return record_release(session, event="release.id_token", citizen_id=citizen_id, client_id=client_id,
                              claims=("sub",), now=now)


def _released(app, citizen_id: str) -> list:
    return [e for e in log_of(app, citizen_id) if e.event == "release.id_token"]


@pytest.fixture
def given(client, register, citizen):
    """The citizen's consent for an agency (given through the flow) and the entries so far."""
    agency = register(client_name="Hacienda", purpose="Declaraciones")
    tokens_for(client, agency)
    (consent,) = _consents(client.application, citizen.citizen_id)
    return client.application, citizen.citizen_id, agency.client_id, consent


def test_withdrawn_consent_releases_nothing(given):
    from idp.consent.errors import ConsentNotInForce

    app, citizen_id, client_id, consent = given
    now = datetime.now(UTC)
    _change(app, consent.id, revoked_at=now)
    before = _released(app, citizen_id)
    with pytest.raises(ConsentNotInForce) as refused:
        _release(app, citizen_id, client_id, now)
    assert refused.value.error == "invalid_grant" and "no longer in force" in refused.value.description
    assert len(_released(app, citizen_id)) == len(before)


def test_expired_consent_releases_nothing(given):
    from idp.consent.errors import ConsentNotInForce

    app, citizen_id, client_id, consent = given
    before = len(_released(app, citizen_id))
    with pytest.raises(ConsentNotInForce):
        _release(app, citizen_id, client_id, consent.expires_at.replace(tzinfo=UTC) + timedelta(seconds=1))
    assert len(_released(app, citizen_id)) == before


def test_release_names_the_consent_in_force_not_a_newer_withdrawn_one(given):
    """A newer decision that is no longer in force (withdrawn) does not take the release."""
    from idp.consent.models import Consent
    from infra.db import get_db

    app, citizen_id, client_id, consent = given
    newer = uuid.uuid4()
    with get_db(app).transaction() as session:
        session.add(Consent(
            id=newer, citizen_id=uuid.UUID(citizen_id), client_id=client_id, claims=["sub"], declined=[],
            agency_name="Hacienda", purpose="Otra cosa", legal_basis="consent", law=None,
            given_at=consent.given_at + timedelta(seconds=5), expires_at=consent.expires_at,
            last_used_at=None, superseded_at=None, revoked_at=consent.given_at + timedelta(seconds=6),
            receipt="r", withdrawal_receipt="w"))
    appended = _release(app, citizen_id, client_id, datetime.now(UTC))
    assert appended is not None
    entry = _released(app, citizen_id)[-1]
    assert entry.reference == str(consent.id)
    assert entry.purpose == "Declaraciones"


def test_superseded_consent_with_no_newer_one_in_force_releases_nothing(given):
    from idp.consent.errors import ConsentNotInForce

    app, citizen_id, client_id, consent = given
    _change(app, consent.id, superseded_at=datetime.now(UTC))
    with pytest.raises(ConsentNotInForce):
        _release(app, citizen_id, client_id, datetime.now(UTC))


def test_refusal_is_a_400_in_the_oauth_shape(given):
    from idp.consent.errors import ConsentNotInForce

    app, *_ = given
    with app.test_request_context("/token", method="POST"):
        response = app.handle_user_exception(ConsentNotInForce("no consent in force"))
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_grant", "error_description": "no consent in force"}
