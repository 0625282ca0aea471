"""An expired reclaim claim (30 minutes after the details were checked) sent the claimant from
/reclaim/code back to an empty /reclaim form without a word: the claim's store key and its flow
cookie expire together, so nothing could tell an expired claim from no claim. Now a small marker
cookie (no personal data: only that a claim was opened) outlives the claim, and /reclaim says
that the request expired and to fill in the form again for a new code."""

from __future__ import annotations

import html
import time
from types import SimpleNamespace

import pytest

from infra.web.cookies import flow_cookie_name
from infra.web.i18n import catalog
from tests.idp.assurance.test_reclaim import _claim, _import, _send


def _half_an_hour_on(monkeypatch) -> None:
    from infra.store import memory

    later = SimpleNamespace(time=lambda: time.time() + 31 * 60, monotonic=time.monotonic)
    monkeypatch.setattr(memory, "time", later)


def _followed(client, response) -> str:
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/reclaim") and not location.startswith("/reclaim/")
    return html.unescape(client.get(location).get_data(as_text=True))


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("cookie_kept", [True, False], ids=["claim_cookie_kept", "claim_cookie_expired"])
def test_an_expired_claim_says_so_and_what_to_do(app, client, backend, monkeypatch, lang, cookie_kept):
    if backend.name != "embedded":
        pytest.skip("moves the in-process store's clock")
    _import(app)
    client.set_cookie("lang", lang)
    assert _claim(client).headers["Location"] == "/reclaim/code"
    _send(client, channel="email")
    _half_an_hour_on(monkeypatch)
    if not cookie_kept:  # a browser drops the claim's cookie when its Max-Age is over
        client.delete_cookie(flow_cookie_name("cedula_reclaim", secure=False), path="/reclaim")
    page = _followed(client, client.get("/reclaim/code"))
    expected = catalog(app).get("reclaim.error.claim_expired", lang)
    assert expected and expected != "reclaim.error.claim_expired"
    assert 'id="claim-expired"' in page and expected in page
    assert 'id="reclaim-form"' in page
    # Said once: the form sent again opens a new claim; a later visit without one says nothing.
    again = _followed(client, client.get("/reclaim/code"))
    assert 'id="claim-expired"' not in again


def test_the_marker_holds_no_personal_data(app, client):
    _import(app)
    opened = _claim(client)
    marker = [h for h in opened.headers.getlist("Set-Cookie") if h.startswith("cedula_reclaim_opened=")]
    assert len(marker) == 1
    value = marker[0].split(";", 1)[0].split("=", 1)[1]
    assert value.isdigit() and "HttpOnly" in marker[0] and "Path=/reclaim" in marker[0]


def test_without_a_claim_the_form_says_nothing_about_expiry(app, client):
    _import(app)  # the form is shown once the register is loaded (test_impostor14_register_not_loaded)
    page = _followed(client, client.get("/reclaim/code"))
    assert 'id="claim-expired"' not in page and 'id="reclaim-form"' in page
