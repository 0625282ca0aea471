"""The enrolment page's "Recover my identity number" posts what was typed there to /reclaim
(`from=enrol`): the reclaim form comes back holding it (WCAG 2.2, 3.3.7 redundant entry),
with no error shown, no claim opened and no question to the civil register, nor an attempt
counted against the reclaim limit; the citizen sends it with the form's own button."""

from __future__ import annotations

import html

from tests.idp.assurance.test_reclaim import REAL_EMAIL, _claim, _import
from tests.idp.conftest import csrf, fields


def _from_enrol(client, **typed):
    return client.post("/reclaim", data={"csrf_token": csrf(client, "/enrol"), "from": "enrol", **typed})


def test_the_details_typed_at_enrolment_fill_the_reclaim_form(app, client, monkeypatch):
    _import(app)
    asked = []
    from idp.assurance import reclaim_views

    monkeypatch.setattr(reclaim_views, "_register_match", lambda *a, **k: asked.append(a))
    typed = fields(email=REAL_EMAIL)
    page = _from_enrol(client, **typed)
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert 'id="reclaim-form"' in text
    for name, value in typed.items():
        assert f'name="{name}"' in text and f'value="{value}"' in text, name
    assert 'aria-invalid="true"' not in text and 'class="field-error" id="given_name-error">' not in text
    assert asked == [], "the civil register is asked only when the citizen sends the form"
    opened = client.get("/reclaim/code")
    assert opened.status_code in (302, 303) and opened.headers["Location"].endswith("/reclaim"), "no claim"


def test_half_typed_details_come_back_without_errors(app, client):
    _import(app)
    page = _from_enrol(client, given_name="Ana María", national_id="0489")
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert 'value="Ana María"' in text and 'value="0489"' in text
    assert 'aria-invalid="true"' not in text and 'class="field-error" id="given_name-error">' not in text


def test_sending_the_filled_form_opens_the_claim(app, client):
    _import(app)
    assert _from_enrol(client, **fields(email=REAL_EMAIL)).status_code == 200
    response = _claim(client)
    assert response.status_code == 303 and response.headers["Location"] == "/reclaim/code"
