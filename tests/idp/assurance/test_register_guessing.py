"""Trying dates of birth for someone's ID number: the civil register is an oracle (do these
details match the record of this number?) that /reclaim and an enrolment answer. The limits
per address and per ID per 5 minutes let thousands of guesses a day through from many
addresses; the different details asked about one ID are limited per day."""

from __future__ import annotations

from datetime import date, timedelta

from idp.civil_register.guesses import per_day
from infra.store import get_store
from tests.idp.assurance.conftest import proofing
from tests.idp.assurance.test_reclaim import _claim, _import
from tests.idp.conftest import dui, enrol

TRUE_BIRTHDATE = date(1990, 5, 17)  # Ana's, in the register test_reclaim imports


def _window_passes(app) -> None:
    """As after the 5-minute windows: the per-address and per-ID counters start again."""
    store = get_store(app)
    store.delete(f"rl:reclaim-id:sv-dui:{dui(4892613)}")
    for n in range(200):
        store.delete(f"rl:reclaim:198.51.100.{n}")


def _try(app, birthdate: date, n: int):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"  # a botnet: a new address each time
    return _claim(browser, birthdate=birthdate.isoformat())


def test_dates_of_birth_cannot_be_tried_one_after_another(fresh_app):
    _import(fresh_app)
    limit = per_day(fresh_app)
    guesses = [TRUE_BIRTHDATE - timedelta(days=40 - n) for n in range(40)]  # the true one last
    answers = []
    for n, birthdate in enumerate(guesses):
        if n % 10 == 0:
            _window_passes(fresh_app)
        answers.append(_try(fresh_app, birthdate, n))
    assert [a.status_code for a in answers[:limit]] == [400] * limit  # "does not match"
    refused = answers[-1]  # the true date of birth, found before the fix (303 to the code page)
    assert refused.status_code == 429, refused.headers.get("Location")
    assert int(refused.headers["Retry-After"]) > 3600
    page = refused.get_data(as_text=True)
    assert "oficina de atención" in page and "mañana" in page
    assert {a.status_code for a in answers[limit:]} == {429}


def test_details_asked_before_the_guessing_are_still_answered(fresh_app):
    """The owner who opened a claim first keeps it: the code page asks the register again
    with the same details, which are not a new guess."""
    _import(fresh_app)
    owner = fresh_app.test_client()
    assert _claim(owner).status_code == 303
    for n in range(per_day(fresh_app) + 2):
        if n % 10 == 0:
            _window_passes(fresh_app)
        _try(fresh_app, TRUE_BIRTHDATE - timedelta(days=n + 1), n)
    page = owner.get("/reclaim/code")
    assert page.status_code == 200 and "a•••@correo.example" in page.get_data(as_text=True)
    assert _claim(owner).status_code == 303  # the same details typed again: no new guess


def test_an_enrolment_past_the_limit_gets_no_answer_from_the_register(fresh_app):
    """Enrolling with someone's number and a guessed date of birth (then closing the account
    and enrolling again) is the same oracle: past the day's limit the register is not asked."""
    _import(fresh_app)
    for n in range(per_day(fresh_app)):
        if n % 10 == 0:
            _window_passes(fresh_app)
        _try(fresh_app, TRUE_BIRTHDATE - timedelta(days=n + 1), n)
    enrolled = enrol(fresh_app.test_client())  # the register's own details, after the guessing
    assert proofing(fresh_app, enrolled.citizen_id) == ("low", "self_asserted")


def test_an_enrolment_before_any_guessing_is_matched(fresh_app):
    _import(fresh_app)
    enrolled = enrol(fresh_app.test_client())
    assert proofing(fresh_app, enrolled.citizen_id) == ("low", "register_match")
