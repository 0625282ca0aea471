"""An authorization request in progress belongs to the browser that started it
(`idp.oidc.interaction_binding`). Its id travels in URLs and forms (the sign-in page's `next`,
the account choice and decision forms), so it leaks or is planted; before, whoever opened
`/authorize/continue?interaction=...` or posted the account choice with it continued the request
under their own session: an attacker planted a request started in their browser in a victim's
(or the reverse) and the agency signed one citizen in as the other (login CSRF, session swapping;
RFC 9700 section 4.7). Now another browser gets the "start again at the agency" page, and never
a redirect to the agency."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from tests.idp.conftest import dui, enrol
from tests.idp.oidc.conftest import Flow, authorize_url, get_code, redirect_params

OTHER_BROWSER = "otro navegador"  # oidc.error.other_browser, in the default language


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def _refused(answer) -> None:
    assert "Location" not in answer.headers, answer.headers.get("Location")
    assert answer.status_code == 400
    assert OTHER_BROWSER in answer.get_data(as_text=True)


def test_a_sign_in_link_opened_in_another_browser_continues_nothing(client, citizen, register, oidc_app):
    agency = register()
    attacker = oidc_app.test_client()  # not signed in: sent to sign in, with the request's id in `next`
    started = attacker.get(authorize_url(agency, Flow()))
    assert started.status_code == 302 and started.headers["Location"].startswith("/login?next=")
    continue_path = unquote(parse_qs(urlsplit(started.headers["Location"]).query)["next"][0])

    _refused(client.get(continue_path))  # the victim's browser, signed in
    assert attacker.get(continue_path).status_code == 302  # the browser that started it goes on


def test_the_account_choice_posted_from_another_browser_issues_no_code(client, citizen, register, oidc_app):
    agency = register()
    get_code(client, agency)  # the victim's consent stands: "continue" would answer at once
    page = client.get(authorize_url(agency, Flow(), prompt="select_account"))
    assert page.status_code == 200
    interaction = _field(page.get_data(as_text=True), "interaction")

    attacker = oidc_app.test_client()
    enrol(attacker, national_id=dui(7310542), email="rosa@example.sv")  # another citizen
    own = attacker.get(authorize_url(agency, Flow()))  # any page of the attacker's with a form
    token = _field(own.get_data(as_text=True), "csrf_token")
    _refused(attacker.post("/authorize/account", data={"csrf_token": token, "interaction": interaction,
                                                      "choice": "continue"}))

    # The victim's own choice still answers the request.
    answered = client.post("/authorize/account", data={
        "csrf_token": _field(page.get_data(as_text=True), "csrf_token"), "interaction": interaction,
        "choice": "continue"})
    assert redirect_params(answered, agency)["code"]


def test_the_decision_posted_from_another_browser_is_refused(client, citizen, register, oidc_app):
    agency = register()
    page = client.get(authorize_url(agency, Flow()))
    assert page.status_code == 200  # the victim's decision page
    interaction = _field(page.get_data(as_text=True), "interaction")

    attacker = oidc_app.test_client()
    enrol(attacker, national_id=dui(7310542), email="rosa@example.sv")  # another citizen
    own = attacker.get(authorize_url(register(), Flow()))
    token = _field(own.get_data(as_text=True), "csrf_token")
    _refused(attacker.post("/authorize/decision", data={"csrf_token": token, "interaction": interaction,
                                                       "decision": "allow"}))
