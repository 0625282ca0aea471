"""After a form error (/enrol, /reclaim with a national ID that is not valid), the language
switch keeps the page *and* what was typed: it is a form sending the typed fields again (no
JavaScript needed, CSRF-protected), and the page comes back in the other language with the
values and what is wrong with them. A forged switch (no valid token) switches nothing."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.idp.conftest import csrf, dui, fields
from tests.support.catalog_text import said
from tests.support.civil_register import register_person

TYPED = fields(national_id="12345678-0")  # a check digit that does not match



def _switch(html: str) -> tuple[str, dict[str, str], str]:
    """The switch form's address, its hidden fields and its button's (name, value)."""
    form = re.search(r'<form method="post" action="([^"]*)" id="language-form">(.*?)</form>', html, re.S)
    assert form, "the switch is a form on a page answering a form"
    hidden = {name: unescape(value) for name, value in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))}
    button = re.search(r'<button type="submit"[^>]*name="([^"]+)" value="([^"]+)"', form.group(2))
    assert button
    return unescape(form.group(1)), hidden | {button.group(1): button.group(2)}, button.group(2)


@pytest.mark.parametrize("page", ["/enrol", "/reclaim"])
def test_the_language_switch_after_a_form_error_keeps_what_was_typed(client, page):
    # an imported register that holds someone (never loaded, /reclaim says only that it cannot
    # check the register yet: impostor14)
    register_person(client.application, national_id=dui(99_999_990), given_name="Registro",
                    family_name="Importado", birthdate="1970-01-01")
    token = csrf(client, page)
    first = client.post(page, data={"csrf_token": token, **TYPED})
    assert first.status_code == 400
    html = first.get_data(as_text=True)
    assert '<html lang="es">' in html
    action, data, lang = _switch(html)
    assert action == page and lang == "en"
    assert {name: data[name] for name in TYPED} == TYPED
    switched = client.post(action, data=data)
    html = switched.get_data(as_text=True)
    assert switched.status_code == 400 and '<html lang="en">' in html
    for value in TYPED.values():
        assert f'value="{value}"' in unescape(html)
    error = said(client.application, "national_id.error.check", "en")
    assert error in unescape(html)
    # remembered, as the link's choice is
    assert client.get(page).get_data(as_text=True).count('<html lang="en">') == 1


def test_a_switch_without_a_valid_token_switches_nothing(client):
    csrf(client, "/enrol")
    answer = client.post("/enrol", data={"csrf_token": "forged", "switch_language": "en", **TYPED})
    assert answer.status_code == 400
    assert '<html lang="en">' not in answer.get_data(as_text=True)
    assert '<html lang="es">' in client.get("/enrol").get_data(as_text=True)


def test_a_page_opened_plainly_keeps_the_link_switch(client):
    html = client.get("/enrol").get_data(as_text=True)
    assert 'id="language-form"' not in html
    assert 'href="/language/en?next=/enrol"' in html
