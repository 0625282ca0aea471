"""A national ID reclaimed with a code sent by letter: the reclaim page offers the civil
register's postal address, and a letter's code can be entered for `postal_code_seconds` (14
days: letters take days), but the claim it is entered into (the details checked against the
register, kept in the ephemeral store and the browser's flow cookie) lasted 30 minutes. When
the letter arrived, /reclaim/code sent the claimant back to an empty /reclaim form without a
word, and typing the details again opened a new claim, which the letter's code is not for:
reclaiming by letter could never finish. Now sending a code keeps the claim (store and cookie)
as long as that code can be entered."""

from __future__ import annotations

import html
import re
import time
from types import SimpleNamespace

import pytest

from infra.notify import get_outbox
from infra.web.cookies import flow_cookie_name
from infra.web.i18n import catalog
from tests.idp.assurance.test_reclaim import _claim, _import, _send
from tests.idp.conftest import csrf

LETTER_DAYS = 14  # config/default.toml [assurance] postal_code_seconds = 1209600


def _letter_code(app) -> str:
    [letter, *_] = get_outbox(app).messages(channel="postal")
    return re.search(r"(\d{4} \d{4})", letter.body).group(1)


def _claim_cookie_max_age(response) -> int:
    name = flow_cookie_name("cedula_reclaim", secure=False)
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    return int(re.search(r"Max-Age=(\d+)", header).group(1))


def test_a_letter_code_keeps_the_claim_in_the_browser_as_long_as_the_code(app, client):
    _import(app)
    assert _claim(client).headers["Location"] == "/reclaim/code"
    sent = _send(client, channel="postal")
    assert sent.status_code == 303 and "code=sent" in sent.headers["Location"]
    assert _claim_cookie_max_age(sent) >= LETTER_DAYS * 86400 - 120
    # An e-mailed code asked for afterwards does not shorten the claim the letter's code is for.
    emailed = _send(client, channel="email")
    assert emailed.status_code == 303 and "code=sent" in emailed.headers["Location"]
    assert not [h for h in emailed.headers.getlist("Set-Cookie") if "cedula_reclaim" in h]


def test_the_letter_code_reclaims_the_id_after_the_first_half_hour(app, client, backend, monkeypatch):
    if backend.name != "embedded":
        pytest.skip("moves the in-process store's clock")
    from infra.store import memory

    _import(app)
    _claim(client)
    _send(client, channel="postal")
    code = _letter_code(app)

    # The in-process store's clock, three days on: the letter arrived.
    later = SimpleNamespace(time=lambda: time.time() + 3 * 86400, monotonic=time.monotonic)
    monkeypatch.setattr(memory, "time", later)
    page = client.get("/reclaim/code")
    assert page.status_code == 200, page.headers.get("Location")
    assert 'id="code-entry"' in page.get_data(as_text=True)
    done = client.post("/reclaim/verify", data={"csrf_token": csrf(client, "/reclaim/code"), "code": code})
    assert done.status_code == 200 and 'id="reclaim-done"' in done.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_code_page_says_to_come_back_in_this_browser_when_the_letter_arrives(app, client, lang):
    _import(app)
    client.set_cookie("lang", lang)
    _claim(client)
    _send(client, channel="postal")
    page = client.get("/reclaim/code").get_data(as_text=True)
    expected = catalog(app).get("reclaim.code.letter_return", lang).format(address="http://localhost/reclaim/code")
    assert 'id="letter-return"' in page and expected in html.unescape(page)
    # Not for a code that comes in minutes (e-mail).
    other = app.test_client()
    _claim(other)
    _send(other, channel="email")
    assert 'id="letter-return"' not in other.get("/reclaim/code").get_data(as_text=True)
