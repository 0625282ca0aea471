"""A verification code typed into the address (/verify/<code>) with a character missing or
wrong answered "Vuelva a escribir el código" / "Type the code again", but its only ways on were
two links, both "Verificar otro documento" / "Verify another document", to an empty code form:
the citizen had to type all 20 characters again to fix one (WCAG 2.2 3.3.7 redundant entry),
and the link named another document when it was the same one. Now the page's button reopens
the code form holding what they typed, marked as wrong, to correct it there."""

from __future__ import annotations

import html
import re

import pytest

MISTYPED = "7KQ4-M2XH-9PRT-WC3N-B8D"  # one character short
CORRECT = {"es": "Corregir el código", "en": "Correct the code"}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_mistyped_code_is_kept_to_correct(client, lang):
    client.set_cookie("lang", lang)
    page = client.get(f"/verify/{MISTYPED}")
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    buttons = re.findall(r'<a class="button" href="([^"]+)">([^<]+)</a>', body)
    assert [text for _, text in buttons] == [CORRECT[lang]], buttons
    form = client.get(html.unescape(buttons[0][0]).split("#", 1)[0])
    assert form.status_code == 400  # the form again, its code field saying what is wrong
    field = re.search(r'<input id="code"[^>]*>', form.get_data(as_text=True), re.S)
    assert field is not None
    assert f'value="{MISTYPED}"' in field.group(0)
    assert 'aria-invalid="true"' in field.group(0)
