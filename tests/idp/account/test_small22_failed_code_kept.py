"""After a failed attempt, /bind and /recover emptied the code field: the citizen had to type the
12 characters again to fix one (WCAG 2.2 3.3.7 redundant entry). The code typed is the citizen's
own input, echoed back in the answer to their own POST (never in an address), on a page no
cache keeps (every page is `Cache-Control: no-store`, infra.web.headers) and that a failed
attempt gives no more than the paper they copied it from: it now stays in the field, marked as
wrong. A code that was accepted (shown by /bind, then refused at /bind/confirm) is never echoed."""

from __future__ import annotations

import re

import pytest

from tests.idp.conftest import csrf, dui

WRONG = "AAAA-BBBB-CCCC"


def _code_field(response) -> str:
    found = re.search(r'<input id="code"[^>]*>', response.get_data(as_text=True), re.S)
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_wrong_binding_code_stays_to_correct(client, lang):
    token = csrf(client, "/bind")
    response = client.post("/bind", data={"csrf_token": token, "code": WRONG},
                           headers={"Accept-Language": lang})
    assert response.status_code == 400
    assert "no-store" in response.headers["Cache-Control"]
    field = _code_field(response)
    assert f'value="{WRONG}"' in field and 'aria-invalid="true"' in field, field


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_refused_confirmation_does_not_echo_the_code(client, lang):
    token = csrf(client, "/bind")
    response = client.post("/bind/confirm", data={"csrf_token": token, "code": WRONG},
                           headers={"Accept-Language": lang})
    assert response.status_code == 400
    assert WRONG not in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_wrong_recovery_code_stays_to_correct(client, lang):
    token = csrf(client, "/recover")
    response = client.post("/recover", data={"csrf_token": token, "national_id": dui(4892613),
                                              "code": WRONG}, headers={"Accept-Language": lang})
    assert response.status_code == 400
    assert "no-store" in response.headers["Cache-Control"]
    field = _code_field(response)
    assert f'value="{WRONG}"' in field, field
