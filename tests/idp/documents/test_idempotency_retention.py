"""How long an agency's Idempotency-Key is kept is a setting (`[documents]
idempotency_keep_hours`, it was a constant of 24 hours), checked when the app is built, and
what /openapi.json tells agencies."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from idp import create_app
from idp.documents.idempotency import begin, idempotency_keys
from infra.config import ConfigError
from infra.db import get_db
from infra.models import IDEMPOTENCY
from tests.conftest import settings_for


def _key_parameter(app) -> dict:
    document = app.test_client().get("/openapi.json").get_json()
    operation = document["paths"]["/api/documents"]["post"]
    return next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")


def test_keys_are_kept_the_hours_set(app, backend, tmp_path):
    fresh = create_app(settings_for(backend, tmp_path, documents={"idempotency_keep_hours": 2}))
    keys = idempotency_keys(fresh)
    assert keys.keep_seconds == 2 * 3600
    client_id = f"retention-{uuid.uuid4().hex}"
    begin(keys, client_id=client_id, header="k-retention", body={"a": 1})
    with get_db(fresh).read() as session:
        row = session.execute(sa.select(IDEMPOTENCY.c.created_at, IDEMPOTENCY.c.expires_at).where(
            IDEMPOTENCY.c.scope == f"documents:{client_id}")).one()
    assert float(row.expires_at) - float(row.created_at) == pytest.approx(7200, abs=1)
    assert "kept 2 hours" in _key_parameter(fresh)["description"]


def test_the_default_is_24_hours(app):
    assert idempotency_keys(app).keep_seconds == 24 * 3600
    assert "kept 24 hours" in _key_parameter(app)["description"]


@pytest.mark.parametrize("value", [0, 721, "24", 1.5])
def test_a_value_that_cannot_work_stops_the_start(backend, tmp_path, value):
    with pytest.raises(ConfigError, match=r"documents\.idempotency_keep_hours must be a whole "
                                          r"number of hours from 1 to 720"):
        create_app(settings_for(backend, tmp_path, documents={"idempotency_keep_hours": value}))
