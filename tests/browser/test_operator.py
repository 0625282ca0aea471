"""The operator console in Chromium: an operator signed in at level high (identity verified
in person, a device-bound attested passkey) registers an agency, disables it, rotates its
secret and reads the indicators chart; a citizen without the role cannot open /operator.
Every page: axe-core without serious violations, one h1, no CSP violation, es and en; the
forms and the chart reflow at 320 CSS pixels."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from selenium.webdriver.common.by import By

from tests.browser.flows import enrol_on_new_device, sign_out
from tests.browser.test_accessibility_services import LANGUAGES, Pages, assert_reflows

pytestmark = pytest.mark.browser


def _operator(browser, server, tmp_path, monkeypatch) -> None:
    """Enrol with an attested security key, proofed in person, with the operator role."""
    from idp.citizens.models import Citizen
    from idp.operator import services
    from idp.registrar.services import Actor
    from infra.db import get_db
    from tests.browser.authenticators import enrol_proofed_in_person

    app = server.app
    operator_id = enrol_proofed_in_person(browser, app, tmp_path, monkeypatch)
    with get_db(app).transaction() as session:
        services.grant(session, citizen=session.get(Citizen, operator_id), by=Actor.operator("tester"),
                       now=datetime.now(UTC))


def test_operator_registers_disables_rotates_and_reads_the_chart(browser, server, tmp_path, monkeypatch):
    began = datetime.now(UTC)  # the month of the operator's enrolment: this one or, after a 1st 00:00 UTC, the next
    _operator(browser, server, tmp_path, monkeypatch)
    pages = Pages(browser)
    pages.visit("operator", "/operator", wait="ul.cards")
    pages.visit("operator-agencies", "/operator/agencies", wait="#register-agency")
    pages.visit("operator-new", "/operator/agencies/new", wait="#agency-form")
    assert_reflows(browser, "operator-new")

    # Register an agency through the form (an error first: a redirect URI must be https).
    browser.choose_language("es", then="/operator/agencies/new")
    form = browser.wait_for("#agency-form")
    browser.fill(form.find_element(By.ID, "name"), "Ministerio de Trabajo")
    form.find_element(By.ID, "redirect_uris").send_keys("http://trabajo.example/cb")
    browser.one("#agency-submit").click()
    browser.wait_for("#form-error")
    pages.check("operator-new:error", "es")
    field = browser.one("#redirect_uris")
    field.clear()
    field.send_keys("https://trabajo.example/cb")
    browser.one("#agency-submit").click()
    client_id = browser.wait_for_text("#client-id")
    first_secret = browser.wait_for_text("#client-secret")
    pages.check("operator-secret", "es")

    # Its page: disable it.
    browser.one("#to-agency").click()
    browser.wait_for("#state-form")
    pages.check("operator-agency", "es")
    assert_reflows(browser, "operator-agency")
    browser.one("#disable-agency").click()
    browser.wait_for("#done")
    assert "Desactivado" in browser.one("#agency-state").text
    pages.check("operator-agency:disabled", "es")

    # Rotate its secret: a new one, shown once.
    browser.one("#rotate-secret").click()
    second_secret = browser.wait_for_text("#client-secret")
    assert second_secret and second_secret != first_secret
    from clients.registry.services import check_secret, find_client
    from infra.db import get_db

    with get_db(server.app).read() as session:
        client = find_client(session, client_id, enabled_only=False)
        assert not client.enabled and check_secret(client, second_secret) and not check_secret(client, first_secret)

    # The indicators: the operator's own enrolment is in them; chart and table agree.
    pages.visit("operator-indicators", "/operator/indicators", wait="#period-form")
    browser.choose_language("en", then="/operator/indicators?step=month")
    block = browser.wait_for("#block-enrolment")
    assert block.find_element(By.CSS_SELECTOR, "svg.chart").get_attribute("role") == "img"
    bars = block.find_elements(By.CSS_SELECTOR, "svg.chart rect")
    titles = [b.find_element(By.TAG_NAME, "title").get_attribute("textContent") for b in bars]
    # The month as the English page writes it ("December 2026"), not ISO.
    # The enrolment's month is the last bar (or the one before, if a month began since).
    months = {f"{began:%B %Y}: 1", f"{datetime.now(UTC):%B %Y}: 1"}
    counted = [n for n, t in enumerate(titles) if not t.endswith(": 0")]
    assert len(counted) == 1 and titles[counted[0]] in months and counted[0] >= len(titles) - len(months), titles
    total = block.find_element(By.CSS_SELECTOR, "tfoot td.num").text
    assert total == "1"
    assert_reflows(browser, "operator-indicators")
    pages.visit("operator-keys", "/operator/keys", wait="#signing-keys")
    pages.visit("operator-people", "/operator/people", wait="#people-form")
    pages.visit("operator-audit", "/operator/audit", wait="#audit")
    actions = [cell.text for cell in browser.all("#audit tbody td:nth-child(3)")]
    assert actions[:3] == ["agency.secret_rotated", "agency.disabled", "agency.registered"]
    pages.visit("operator-token", "/operator/initial-tokens", wait="form")
    pages.visit("operator-forgery-reports", "/operator/forgery-reports", wait="#forgery-reports")
    assert_reflows(browser, "operator-forgery-reports")


def test_a_citizen_cannot_open_the_console(browser, server):
    enrol_on_new_device(browser)
    for lang in LANGUAGES:
        browser.choose_language(lang, then="/operator")
        text = browser.wait_for("main").text
        assert re.search(r"solo para el personal de operación|for operations staff only", text), text
        assert browser.one("h1").text.strip()
        browser.assert_accessible()
    sign_out(browser)
    Pages(browser).visit("transparency", "/transparency", wait="#overall")  # public, no sign-in
    assert_reflows(browser, "transparency")
    browser.open("/operator/agencies")
    browser.wait_for_path("/login")
