"""`expires_in_days` is `{"type": "integer", "minimum": 1, "maximum": 90}` in /openapi.json
(OpenAPI 3.1, JSON Schema 2020-12), where 14.0 is an integer (a number with a zero fractional
part, JSON Schema Validation section 6.1.1; Core section 4.2.2). A portal whose JSON encoder
writes a whole number of days as 14.0 (Python's json.dumps of a float: timedelta.days is an int,
but total_seconds() / 86400 is not) sent a body its schema validator accepted, and was refused
with `422 invalid_data` "an integer from 1 to 90 is required". The server now takes what the
schema it publishes takes, and still refuses 14.5 and true."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jsonschema

from tests.idp.documents.conftest import agency_token
from tests.idp.documents.test_citizen_signing import _pdf
from tests.idp.oidc.conftest import bearer


def _prepare(web, token: str, sub: str, days_text: str):
    pdf = base64.b64encode(_pdf("firma")).decode()
    body = json.dumps({"subject": sub, "file_name": "contrato.pdf", "pdf": pdf})[:-1] + \
        f', "expires_in_days": {days_text}}}'  # the number as written, not as Python would write it
    return web.post("/api/documents/prepared", data=body, content_type="application/json",
                    headers=bearer(token))


def test_a_whole_number_of_days_written_with_a_fraction_is_taken(web, agency, signed_in):
    _, sub = signed_in
    schema = web.get("/openapi.json").get_json()["components"]["schemas"]["PrepareRequest"]
    jsonschema.validate(14.0, schema["properties"]["expires_in_days"])  # what the portal checked
    answer = _prepare(web, agency_token(web, agency), sub, "14.0")
    assert answer.status_code == 201, answer.get_json()
    expires = datetime.fromisoformat(answer.get_json()["expires_at"])
    assert timedelta(days=13, hours=23) < expires - datetime.now(UTC) <= timedelta(days=14)


def test_a_fraction_of_a_day_and_a_boolean_are_still_refused(web, agency, signed_in):
    _, sub = signed_in
    token = agency_token(web, agency)
    for days in ("14.5", "true", "0.0", "91.0"):
        answer = _prepare(web, token, sub, days)
        assert answer.status_code == 422, (days, answer.get_json())
        assert answer.get_json()["error_description"].startswith("expires_in_days: "), days
