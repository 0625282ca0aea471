"""The verification code form (GET /verify, novalidate: the server says what is wrong) sent with
its field empty answered "Este código no es correcto. Compruebe que lo ha copiado bien del
documento." / "This code is not correct. Check that you copied it exactly": the citizen, who
typed nothing, was told to check a copy they never made (WCAG 2.2 3.3.1, 3.3.3: the error is
that the field is empty, and the suggestion is to type the code). Now an empty field (or one of
spaces and hyphens only) asks for the code and says where it is printed; a code typed wrong is
still told as not correct."""

from __future__ import annotations

import html
import re

import pytest

ASKED = {"es": "Escriba el código de verificación", "en": "Enter the verification code"}
NOT_CORRECT = {"es": "no es correcto", "en": "not correct"}


def _field_error(client, query: str) -> str:
    page = client.get(f"/verify?{query}")
    assert page.status_code == 400
    found = re.search(r'<[a-z]+ class="field-error" id="code-error"[^>]*>(.*?)</', page.get_data(as_text=True), re.S)
    assert found is not None, "the code field says nothing"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("query", ["code=", "code=+++", "code=-+-"])
def test_an_empty_code_field_asks_for_the_code(client, lang, query):
    client.set_cookie("lang", lang)
    said = _field_error(client, query)
    assert said.startswith(ASKED[lang]), said
    assert NOT_CORRECT[lang] not in said


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_mistyped_code_is_still_told_as_not_correct(client, lang):
    client.set_cookie("lang", lang)
    assert NOT_CORRECT[lang] in _field_error(client, "code=7KQ4-M2XH")
