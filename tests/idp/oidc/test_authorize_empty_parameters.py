"""RFC 6749 section 3.1: a parameter sent without a value is treated as omitted, `request` and
`request_uri` too (they are looked for by their presence): an empty one does not turn a plain
authorization request into a refused request object or an unknown pushed request."""

from __future__ import annotations

import pytest

from tests.idp.oidc.conftest import Flow, authorize_url
from tests.idp.oidc.test_par import pushed_params


@pytest.mark.parametrize("empty", ["request", "request_uri"])
def test_an_empty_request_or_request_uri_at_authorize_is_omitted(client, register, citizen, empty):
    agency = register()
    page = client.get(authorize_url(agency, Flow()) + f"&{empty}=")
    assert page.status_code == 200, page.status_code  # the consent page, as without it
    assert 'name="interaction"' in page.get_data(as_text=True)


def test_an_empty_request_in_a_pushed_request_is_omitted(client, register):
    agency = register()
    form, headers = agency.auth({**pushed_params(agency, Flow()), "request": ""})
    pushed = client.post("/par", data=form, headers=headers)
    assert pushed.status_code == 201, pushed.get_json()
