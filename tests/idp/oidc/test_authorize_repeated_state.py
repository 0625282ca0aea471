"""A `state` sent twice at /authorize (RFC 6749 section 3.1: "Request and response parameters
MUST NOT be included more than once"): the request is refused with invalid_request, and the
error goes back without a state, since which value the client meant is unknown (as
/wallet/authorize does); the direct GET route and the view (POST) alike."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.idp.oidc.conftest import Flow, authorize_url, s256


def _back(response, agency) -> dict[str, list[str]]:
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert location.startswith(agency.redirect_uri + "?"), location
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("states", [["first", "second"], ["same", "same"], ["", "second"]])
def test_a_repeated_state_is_invalid_request_and_no_state_goes_back(client, register, citizen, method, states):
    agency = register()
    flow = Flow()
    query = urlsplit(authorize_url(agency, flow, state=None)).query + "&" + urlencode([("state", s) for s in states])
    if method == "GET":
        response = client.get("/authorize?" + query)
    else:
        response = client.post("/authorize", data=query, content_type="application/x-www-form-urlencoded")
    back = _back(response, agency)
    assert back["error"] == ["invalid_request"]
    assert "state is given more than once" in back["error_description"][0]
    assert "state" not in back, back


def test_a_single_state_still_goes_back_with_an_error(client, register, citizen):
    agency = register()
    flow = Flow()
    url = authorize_url(agency, flow, code_challenge=s256(flow.verifier), code_challenge_method="plain")
    assert _back(client.get(url), agency)["state"] == [flow.state]
