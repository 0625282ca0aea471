"""A verification code typed into the address (/verify/<code>) with a typing mistake answers a
400 page whose <title> was only the verdict ("El código tiene un error" ...), while the code form
with a wrong code (/verify?code=...) and every other error page start theirs with "Error:"
(WCAG 2.2 2.4.2, 3.3.1: a screen reader reads the title first, and it must say the page reports
an error). Now the mistyped code's page says it too, through base.html's one prefix; a
well-formed code no document has (a verdict on the document, not a typing error) keeps its
title as it was."""

from __future__ import annotations

import html
import re

import pytest

PREFIX = {"es": "Error:", "en": "Error:"}  # site.error_prefix
MISTYPED = "7KQ4-M2XH-9PRT-WC3N-B8D"  # one character short


def _title(response) -> str:
    found = re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S)
    assert found is not None
    return html.unescape(found.group(1)).strip()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_mistyped_code_page_title_says_error_as_the_code_form_does(client, lang):
    client.set_cookie("lang", lang)
    form = client.get(f"/verify?code={MISTYPED}")
    assert form.status_code == 400
    prefix = _title(form).split(" ", 1)[0]
    assert prefix == PREFIX[lang], _title(form)
    page = client.get(f"/verify/{MISTYPED}")
    assert page.status_code == 400
    title = _title(page)
    assert title.startswith(prefix + " "), title
    assert title.count(prefix) == 1, title


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_code_no_document_has_is_a_verdict_not_an_error(client, lang):
    client.set_cookie("lang", lang)
    page = client.get("/verify/7KQ4-M2XH-9PRT-WC3N-B8DA")  # well formed, no document has it
    assert page.status_code == 404
    assert not _title(page).startswith(PREFIX[lang]), _title(page)
