"""The GOV.UK error summary on the citizen's form pages: a titled box at the top of the page,
a linked list of the errors pointing at the fields, "Error:" before the page title."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.idp.account.conftest import BAD_ENROLMENT, post_enrolment
from tests.idp.conftest import csrf, dui
from tests.support.authenticator import SoftwareAuthenticator


class _Summary(HTMLParser):
    """The page's <title>, and the first error summary: hidden?, its heading, its items."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.found = False
        self.hidden = None
        self.heading = ""
        self.items: list[tuple[str | None, str]] = []
        self._in: str | None = None
        self._depth = 0
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in = "title"
        elif "data-error-summary" in attrs and not self.found:
            self.found = True
            self.hidden = "hidden" in attrs
            self.box = attrs
            self._depth = 1
        elif self._depth:
            self._depth += 1
            if tag == "h2":
                self._in = "heading"
            elif tag == "li":
                self.items.append((None, ""))
                self._in = "item"
            elif tag == "a" and self._in == "item":
                self.items[-1] = (attrs.get("href"), "")

    def handle_endtag(self, tag):
        if tag == "title" or (self._depth and tag in ("h2", "li")):
            self._in = None
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "heading":
            self.heading += data.strip()
        elif self._in == "item":
            href, text = self.items[-1]
            self.items[-1] = (href, (text + " " + data.strip()).strip())


def summary_of(response) -> _Summary:
    parsed = _Summary()
    parsed.feed(response.get_data(as_text=True))
    return parsed


def test_a_form_page_without_errors_has_a_hidden_summary_and_a_plain_title(client):
    page = summary_of(client.get("/enrol", headers={"Accept-Language": "en"}))
    assert page.found and page.hidden is True
    assert not page.title.startswith("Error:")
    assert page.box["tabindex"] == "-1" and page.box["aria-labelledby"] == "form-error-title"


def test_enrol_without_javascript_lists_each_field_error_linked_to_its_field(client):
    token = csrf(client, "/enrol")
    response = post_enrolment(client, token, BAD_ENROLMENT)
    page = summary_of(response)
    assert response.status_code == 400
    assert page.title.startswith("Error: ")
    assert page.hidden is False and page.heading == "There is a problem"
    targets = [href for href, _ in page.items]
    assert targets == ["#family_name", "#birthdate", "#national_id"]
    assert dict(page.items)["#family_name"] == "This is required."
    body = response.get_data(as_text=True)
    for target in targets:  # every link lands on a field that exists
        assert f'id="{target[1:]}" name="{target[1:]}"' in body


def test_enrol_without_javascript_says_why_in_the_summary_when_the_fields_are_right(client):
    token = csrf(client, "/enrol")
    response = client.post("/enrol", data={"csrf_token": token, "given_name": "Ana",
                                           "family_name": "López", "birthdate": "1990-01-01",
                                           "national_id": dui(4892613), "email": "ana@example.sv"})
    page = summary_of(response)
    assert page.title.startswith("Error: ")
    assert page.heading == "Hay un problema"
    [(target, text)] = page.items
    assert target is None and "JavaScript" in text


def test_a_failed_recovery_points_at_the_national_id(client):
    token = csrf(client, "/recover")
    response = client.post("/recover", data={"csrf_token": token, "national_id": dui(4892613),
                                             "code": "AAAA-BBBB-CCCC"},
                           headers={"Accept-Language": "en"})
    page = summary_of(response)
    assert response.status_code == 400 and page.title.startswith("Error: ")
    [(target, text)] = page.items
    assert target == "#national_id" and text
    assert re.search(r'id="national_id"[^>]*aria-invalid="true"', response.get_data(as_text=True))


def test_the_sign_in_page_has_a_summary_for_its_script(client):
    page = summary_of(client.get("/login"))
    assert page.found and page.hidden is True and page.box["id"] == "login-error"
    assert page.box["data-title-prefix"] == "Error:"
    assert page.box["data-cancelled"] and page.box["data-failed"]


def test_every_page_loads_the_summary_script(client):
    assert 'src="/static/js/error-summary.js"' in client.get("/").get_data(as_text=True)


def test_the_sign_in_page_carries_each_failure_and_next_step_in_both_languages(client):
    for lang, words in (("es", "llave de acceso"), ("en", "passkey")):
        page = summary_of(client.get("/login", headers={"Accept-Language": lang}))
        for key in ("cancelled", "unknown", "forgotten", "try-again", "other-device", "recover",
                    "help"):
            assert page.box[f"data-{key}"], key
        assert words in page.box["data-unknown"] and "QR" in page.box["data-other-device"]
        assert page.box["data-help-href"] == "/help#passkey"


def test_a_passkey_unknown_here_is_refused_with_its_own_code(client):
    """The code the sign-in page tells apart (a deleted passkey) and signals to the device."""
    stranger = SoftwareAuthenticator()
    options = client.post("/webauthn/authentication/options", json={}).get_json()
    assertion = stranger.authenticate(options)
    refused = client.post("/webauthn/authentication/verify", json=assertion)
    assert refused.status_code == 400 and refused.get_json()["error"] == "unknown_credential"


def test_the_account_pages_use_the_same_summary(client, enrolled):
    overview = summary_of(client.get("/account?error=not_found", headers={"Accept-Language": "en"}))
    assert overview.title.startswith("Error: ") and overview.box["id"] == "account-error"
    assert overview.heading == "There is a problem" and len(overview.items) == 1
    page = client.get("/account").get_data(as_text=True)
    assert re.search(r'<div id="add-passkey-error" role="alert" class="error-summary"[^>]*data-error-summary', page)
    assert "<title>Error:" not in page
    recheck = summary_of(client.get("/account/reauth"))
    assert recheck.box["id"] == "recheck-error" and recheck.hidden is True


def test_the_account_page_carries_what_the_signal_api_needs(client, enrolled):
    page = client.get("/account").get_data(as_text=True)
    found = re.search(r'<ul id="passkeys" class="cards" data-rp-id="localhost" data-user-id="([A-Za-z0-9_-]+)">',
                      page)
    assert found and f'data-credential-id="{enrolled.key.credential_id_b64}"' in page


def test_enrol_without_javascript_says_it_once(client):
    """The noscript notice said the details were right before anything was sent (and then said
    it again under the summary): now the page before a POST says only that passkeys need
    JavaScript, and the page after it says it once, in the summary."""
    first = client.get("/enrol").get_data(as_text=True)
    assert 'id="needs-javascript"' in first and "Sus datos son correctos" not in first
    token = csrf(client, "/enrol")
    response = client.post("/enrol", data={"csrf_token": token, "given_name": "Ana",
                                           "family_name": "López", "birthdate": "1990-01-01",
                                           "national_id": dui(4892613), "email": "ana@example.sv"})
    body = response.get_data(as_text=True)
    assert body.count("Sus datos son correctos") == 1 and 'id="needs-javascript"' not in body
