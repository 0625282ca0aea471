"""A refusal /authorize cannot send back (RFC 6749 section 4.1.2.1) is a page for the citizen,
without the technical reason: the guide tells the developer how to read it (the same
parameters pushed to /par answer it as JSON), and that advice works as written."""

from __future__ import annotations

import re

import pytest

from idp.developers.views import SOURCE
from tests.idp.oidc.conftest import Flow, authorize_url, oidc_app, registered_agency, s256  # noqa: F401
from tests.support.basic_auth import basic_auth

REGISTERED = "https://portal.example.gov/callback"


def _guide_row() -> str:
    text = SOURCE.read_text(encoding="utf-8")
    section = text[text.index("## 8. Errors") : text.index("## 9.")]
    rows = [line for line in section.splitlines() if line.startswith("| (no redirect")]
    assert rows, "the guide's errors table does not say what a refusal page at /authorize means"
    return rows[0]


@pytest.mark.parametrize(
    "sent", [REGISTERED + "/", "http://portal.example.gov/callback", "https://portal.example.gov:8443/callback", None]
)
def test_a_redirect_uri_refused_with_a_page_is_explained_at_par(oidc_app, sent):  # noqa: F811
    agency = registered_agency(oidc_app, redirect_uris=[REGISTERED])
    client = oidc_app.test_client()
    flow = Flow()
    page = client.get(authorize_url(agency, flow, redirect_uri=sent))
    assert page.status_code == 400 and "Location" not in page.headers
    form = {
        "response_type": "code",
        "scope": "openid",
        "code_challenge": s256(flow.verifier),
        "code_challenge_method": "S256",
        "state": flow.state,
    }
    if sent is not None:
        form["redirect_uri"] = sent
    pushed = client.post("/par", data=form, headers=basic_auth(agency.client_id, agency.secret))
    assert pushed.status_code == 400, pushed.get_json()
    answer = pushed.get_json()
    assert answer["error"] == "invalid_request" and "redirect_uri" in answer["error_description"], answer
    assert REGISTERED not in answer["error_description"]  # the registered URIs are not told
    if sent is not None:
        quoted = re.search(r"for example `([^`]+)`", _guide_row()).group(1)
        assert answer["error_description"] == quoted


def test_an_unknown_client_refused_with_a_page_is_explained_at_par(oidc_app):  # noqa: F811
    _guide_row()
    agency = registered_agency(oidc_app)
    client = oidc_app.test_client()
    page = client.get(authorize_url(agency, Flow(), client_id="nobody"))
    assert page.status_code == 400 and "Location" not in page.headers
    pushed = client.post(
        "/par",
        data={"response_type": "code", "redirect_uri": REGISTERED, "scope": "openid"},
        headers=basic_auth("nobody", "secret"),
    )
    assert pushed.status_code == 401
    assert "'nobody' is not registered" in pushed.get_json()["error_description"]
