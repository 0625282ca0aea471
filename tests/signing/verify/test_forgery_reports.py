"""Reporting a possible forgery from the /verify page of a well-formed unknown code: CSRF,
rate limit, bad input refused with 400 and the field named, the report stored (one
transaction) and readable by operators (`signing.verify.forgery_reports`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from infra.db import get_db
from signing.verify import forgery_reports
from signing.verify.service import get_verification

CODE = "7KQ4-M2XH-9PRT-WC3N-B8DA"  # well-formed, no document has it
MISTYPED = "7KQ4-M2XH-9PRT-WC3N-B8DZ"


def _token(client) -> str:
    page = client.get(f"/verify/{CODE}").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _stored(app):
    with get_db(app).read() as session:
        return forgery_reports.recent(session)


def _send(client, **fields):
    return client.post("/verify/report", data=fields, headers={"Accept-Language": "en"})


def test_a_report_is_stored_and_acknowledged(client):
    token = _token(client)
    response = _send(client, csrf_token=token, code=CODE.lower().replace("-", " "),
                     where="  A stall at the  market, 3 Dec ", contact="ana@example.org")
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    [row] = _stored(client.application)
    assert (row.code, row.where_found, row.contact, row.language) == (
        CODE, "A stall at the market, 3 Dec", "ana@example.org", "en")
    assert row.id in html and "Report received" in html and "ayuda@cedula.example" in html


def test_without_the_csrf_token_nothing_is_stored(client):
    _token(client)
    response = _send(client, code=CODE, where="market")
    assert response.status_code == 400
    assert 'role="alert" class="error-summary"' in response.get_data(as_text=True)
    other = _send(client, csrf_token="forged", code=CODE, where="market")
    assert other.status_code == 400
    assert _stored(client.application) == []


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"code": CODE, "where": "   "}, "where", "Say where or from whom you got the document."),
    ({"code": CODE, "where": "x" * 1001}, "where", "The text is too long"),
    ({"code": CODE, "where": "market", "contact": "y" * 201}, "contact", "The contact is too long"),
    ({"code": MISTYPED, "where": "market"}, None, "The verification code of the report is not valid"),
    ({"where": "market"}, None, "The verification code of the report is not valid"),
])
def test_bad_input_is_400_with_the_field_named(client, fields, field, message):
    response = _send(client, csrf_token=_token(client), **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    if field:
        assert f'<a href="#{field}">' in html and f'id="{field}" name="{field}"' in html
        assert 'aria-invalid="true"' in html
    assert _stored(client.application) == []


def test_reports_are_rate_limited(client):
    limit = get_verification(client.application).settings.reports
    token = _token(client)
    statuses = [_send(client, csrf_token=token, code=CODE, where=f"market {n}").status_code
                for n in range(limit + 1)]
    assert statuses == [201] * limit + [429]
    assert len(_stored(client.application)) == limit


def test_service_checks_every_field(fresh_app):
    with pytest.raises(forgery_reports.InvalidForgeryReport) as caught:
        forgery_reports.record(get_db(fresh_app), code=42, where="x", contact=None,
                               language="es", now=datetime.now(UTC))
    assert (caught.value.error, caught.value.field) == ("invalid_code", "code")
    received = forgery_reports.record(get_db(fresh_app), code=CODE, where="x", contact="",
                                      language="es", now=datetime.now(UTC))
    [row] = _stored(fresh_app)
    assert (row.id, row.contact) == (received.reference, None)
