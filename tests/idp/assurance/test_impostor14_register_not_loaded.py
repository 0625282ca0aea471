"""The citizen pages that ask the civil register, when the imported register was never loaded
(impostor14; `assurance.registry = "imported"` is the default, operator7 made the desk say so).

An empty register answers "not found" for everyone: /reclaim told the holder of a national ID
that their details do not match the register, and the account's register check that the
register does not have their number (go to a desk), both counted against the citizen's limits
(the attempts per address and per ID, the different details a day for their ID). The pages now
say plainly that the service cannot check the register yet and what to do (come back later or
go to a service office), 503 + Retry-After, and nothing is counted."""

from __future__ import annotations

import html

import pytest

from infra.store import get_store
from tests.idp.assurance.conftest import proofing
from tests.idp.assurance.test_reclaim import _claim
from tests.idp.assurance.test_reclaim import _import as _import_reclaim
from tests.idp.conftest import csrf, dui, enrol

SAID = {"es": "Todavía no podemos consultar el registro civil",
        "en": "We cannot check the civil register yet"}
WHAT_TO_DO = {"es": "Vuelva a intentarlo más tarde o acuda a una oficina de atención",
              "en": "Please try again later, or go to a service office"}
# What an empty register made the pages say (the person's fault, or the register's).
NOT_SAID = {"es": ("Estos datos no coinciden", "El registro civil no tiene su número"),
            "en": ("These details do not match", "The civil register does not have your identity number")}


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _guesses_counted(app) -> int:
    """How many different details were counted against Ana's national ID today (`guesses.admit`)."""
    import hashlib
    import hmac

    from idp.civil_register import guesses
    from infra.secrets import get_secrets

    key = get_secrets(app).key(guesses.KEY_PURPOSE)
    subject = hmac.new(key, f"sv-dui\x00{dui(4892613)}".encode(), hashlib.sha256).hexdigest()[:32]
    return int(get_store(app).get(guesses.COUNTS + subject) or 0)


@pytest.mark.parametrize("language", ["es", "en"])
def test_reclaim_says_the_register_cannot_be_checked_yet(fresh_app, language):
    browser = fresh_app.test_client()
    browser.set_cookie("lang", language)
    page = browser.get("/reclaim")
    assert page.status_code == 200
    assert SAID[language] in _text(page) and 'id="reclaim-form"' not in _text(page)
    refused = _claim(browser)
    text = _text(refused)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "60", text[:2000]
    assert SAID[language] in text and WHAT_TO_DO[language] in text, text[:3000]
    assert not any(sentence in text for sentence in NOT_SAID[language])
    store = get_store(fresh_app)
    assert store.get("rl:reclaim:127.0.0.1") is None
    assert store.get(f"rl:reclaim-id:sv-dui:{dui(4892613)}") is None
    assert _guesses_counted(fresh_app) == 0
    # Once the operator imports it, the same details open the claim.
    _import_reclaim(fresh_app)
    opened = _claim(browser)
    assert opened.status_code == 303 and opened.headers["Location"] == "/reclaim/code"


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_account_register_check_says_it_cannot_check_yet(client, fresh_app, language):
    citizen = enrol(client)  # Ana María López Pérez, whose details the register will hold
    assert _guesses_counted(fresh_app) == 0  # the enrolment's own check asked nothing either
    client.set_cookie("lang", language)
    page = client.get("/account/assurance")
    assert SAID[language] in _text(page) and 'id="register-check"' not in _text(page)
    token = csrf(client, "/account/assurance")
    refused = client.post("/account/assurance/register-check", data={"csrf_token": token})
    text = _text(refused)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "60", text[:2000]
    assert SAID[language] in text and WHAT_TO_DO[language] in text, text[:3000]
    assert not any(sentence in text for sentence in NOT_SAID[language])
    assert get_store(fresh_app).get(f"rl:register-check:{citizen.citizen_id}") is None
    assert _guesses_counted(fresh_app) == 0
    from tests.idp.civil_register.test_civil_register import CSV, _import

    _import(fresh_app, CSV)
    matched = client.post("/account/assurance/register-check", data={"csrf_token": token})
    assert matched.headers["Location"] == "/account/assurance?register=match"
    assert proofing(fresh_app, citizen.citizen_id) == ("low", "register_match")
