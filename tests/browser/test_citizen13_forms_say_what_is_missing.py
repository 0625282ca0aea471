"""A form sent with its field left empty is answered by the page, in its language (citizen13).

Four citizen forms had `required` fields without `novalidate`: closing the account (the
"I understand" box), signing a PDF (the file), renaming a passkey (the name) and asking for a
desk code (the office, when there are several). Sent empty,
Chromium did not send them: it showed its own bubble, in the browser's words and language,
not the page's (the suite's Chromium said "Please check this box if you want to proceed." on
the Spanish page), gone at the next key press and never in the page (WCAG 2.2 3.3.1, error
identification; 3.1.2). The server had the answer ready (an error summary that
takes the focus, the field marked, in the page's language) and the forms now let it answer.
"""

from __future__ import annotations

import pytest

from tests.browser.flows import active_id, message
from tests.browser.test_accessibility import check_page
from tests.browser.test_accessibility_services import _proof_in_person, signed_in_citizen

pytestmark = pytest.mark.browser
LANGUAGES = ["es", "en"]


def _said_by_the_page(browser, server, lang: str, summary: str, key: str) -> None:
    box = browser.wait_for(summary)
    browser.wait(lambda d: active_id(browser) == summary.lstrip("#"), "focus on the error summary")
    assert message(server, key, lang) in box.text
    assert browser.driver.title.startswith(message(server, "site.error_prefix", lang))
    check_page(browser, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_closing_without_ticking_the_box(browser, server, lang):
    signed_in_citizen(browser)
    browser.choose_language(lang, then="/account/close")
    browser.wait_for("#close-form button[type=submit]").click()
    _said_by_the_page(browser, server, lang, "#close-error", "consent.close.not_confirmed")
    assert browser.one("#confirm").get_attribute("aria-invalid") == "true"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_signing_without_choosing_a_file(browser, server, agency, lang):
    signed_in_citizen(browser)
    _proof_in_person(server.app)
    browser.choose_language(lang, then="/account/sign")
    browser.wait_for("#document")
    browser.one("main form button[type=submit]").click()
    _said_by_the_page(browser, server, lang, "#sign-error", "mydocs.sign.error.no_file")
    assert browser.one("#document").get_attribute("aria-invalid") == "true"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_renaming_a_passkey_to_nothing(browser, server, lang):
    signed_in_citizen(browser)
    browser.choose_language(lang, then="/account")
    field = browser.wait_for("#rename-1")
    field.clear()
    browser.one("form.rename-passkey button[type=submit]").click()
    error = browser.wait_for("#rename-1-error")
    assert error.text == message(server, "account.error.invalid_name", lang)
    assert browser.one("#rename-1").get_attribute("aria-invalid") == "true"
    check_page(browser, lang)


def _registrars_at_two_offices(monkeypatch) -> None:
    """Registrars at two service points: the desk-code page asks which office."""
    from types import SimpleNamespace

    from idp.registrar import services

    monkeypatch.setattr(services, "registrars", lambda _db: [
        (SimpleNamespace(service_point=office), None) for office in ("Oficina Centro", "Oficina Norte")])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_asking_for_a_desk_code_without_choosing_the_office(browser, server, monkeypatch, lang):
    signed_in_citizen(browser)
    _registrars_at_two_offices(monkeypatch)
    browser.choose_language(lang, then="/account/desk-code")
    browser.wait_for("#desk-office")
    browser.one("#desk-code-submit").click()
    _said_by_the_page(browser, server, lang, "#desk-code-error", "registrar.desk.office_missing")
    assert browser.one("#desk-office").get_attribute("aria-invalid") == "true"


def _attempts(app) -> int:
    import sqlalchemy as sa

    from idp.assurance.models import PossessionAttempt
    from infra.db import get_db

    with get_db(app).read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(PossessionAttempt))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sending_the_code_form_empty(browser, server, lang):
    """The code form asks for the code (the field empty is no wrong code: no attempt counted,
    not "That code is not correct"), and the code sent still works."""
    from tests.browser.flows import enrol_on_new_device, new_person
    from tests.browser.test_signing_chain import _code_in_the_outbox, _in_the_civil_register

    person = new_person()
    address = _in_the_civil_register(server.app, person)
    enrol_on_new_device(browser, person)
    browser.choose_language(lang, then="/account/assurance")
    browser.wait_for("form#code-request button[type=submit]").click()
    browser.wait_for("form#code-entry button[type=submit]").click()
    box = browser.wait_for("#form-error")
    browser.wait(lambda d: active_id(browser) == "form-error", "focus on the error summary")
    assert message(server, "assurance.code.empty", lang) in box.text
    assert message(server, "assurance.code.wrong", lang) not in box.text
    assert browser.one("#code").get_attribute("aria-invalid") == "true"
    check_page(browser, lang)
    assert _attempts(server.app) == 0
    browser.fill(browser.one("input#code"), _code_in_the_outbox(server.app, address))
    browser.one("form#code-entry button[type=submit]").click()
    browser.wait(lambda _: "code=verified" in browser.full_path, "expected the code accepted")
