"""max_age is a number of seconds in ASCII digits (OIDC Core 3.1.2.1): "²" or "٣" (characters
str.isdigit() takes for digits) is an invalid_request sent back to the client, never a 500
(int("²") raised ValueError) nor read as a number."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.idp.oidc.conftest import Flow, authorize_url


@pytest.mark.parametrize("max_age", ["\u00b2", "1\u00b2", "\u0663", "\uff11"])
def test_max_age_in_other_digits_is_invalid_request(client, register, max_age):
    agency = register()
    response = client.get(authorize_url(agency, Flow(), max_age=max_age))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert parse_qs(urlsplit(response.headers["Location"]).query)["error"] == ["invalid_request"]
