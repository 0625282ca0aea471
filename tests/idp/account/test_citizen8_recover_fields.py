"""The recovery form says which field is missing or malformed, and how to fix it (WCAG 2.2
SC 3.3.1, 3.3.3), as the enrolment form does. Only a well-formed pair that does not match
gets the one sentence that tells no one whether the number or the code was wrong.

Before: an empty form, an empty code or a DUI with a wrong check digit all got "the identity
number or the code is not correct, or the code was already used", pointing at the DUI field:
a citizen who had typed a correct DUI and forgot the code was told to check the DUI."""

from __future__ import annotations

import re

from infra.web.i18n import catalog
from tests.idp.account.test_error_summary import summary_of
from tests.idp.conftest import csrf, dui


def _post(client, national_id: str, code: str):
    token = csrf(client, "/recover")
    return client.post("/recover", data={"csrf_token": token, "national_id": national_id, "code": code},
                       headers={"Accept-Language": "es"})


def _text(app, key: str) -> str:
    text = catalog(app).get(key, "es")
    assert text, f"no message {key!r}"
    return text


def _invalid(html: str, field: str) -> bool:
    return re.search(rf'<input id="{field}"[^>]*aria-invalid="true"', html) is not None


def test_citizen8_an_empty_recovery_form_names_both_fields(app, client):
    response = _post(client, "", "")
    page = summary_of(response)
    assert response.status_code == 400 and page.title.startswith("Error: ")
    assert page.items == [("#national_id", _text(app, "recover.error.national_id_missing")),
                          ("#code", _text(app, "recover.error.code_missing"))]
    html = response.get_data(as_text=True)
    assert _invalid(html, "national_id") and _invalid(html, "code")
    assert 'aria-describedby="code-hint code-error"' in html


def test_citizen8_an_empty_code_points_at_the_code_not_the_number(app, client):
    response = _post(client, dui(4892613), "  ")
    page = summary_of(response)
    assert response.status_code == 400
    assert page.items == [("#code", _text(app, "recover.error.code_missing"))]
    html = response.get_data(as_text=True)
    assert _invalid(html, "code") and not _invalid(html, "national_id")
    assert f'value="{dui(4892613)}"' in html  # what the citizen typed stays


def test_citizen8_a_malformed_number_says_what_is_wrong_with_it(app, client):
    digits = "04892613"
    wrong = f"{digits}-{(int(dui(4892613)[-1]) + 1) % 10}"
    response = _post(client, wrong, "AAAA-BBBB-CCCC")
    page = summary_of(response)
    assert response.status_code == 400
    assert page.items == [("#national_id", _text(app, "national_id.error.check"))]


def test_citizen8_a_wrong_pair_still_gets_the_one_sentence(app, client):
    response = _post(client, dui(4892613), "AAAA-BBBB-CCCC")
    page = summary_of(response)
    assert response.status_code == 400
    assert page.items == [("#national_id", _text(app, "recover.error"))]
