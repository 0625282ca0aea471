"""A redirect URI the agency removed from its registration gets nothing more, also for the
requests begun before (RFC 6749 section 3.1.2.3: the redirect URI is one registered).

The authorization request was checked once, when it began, and kept in the store while the
citizen signed in and decided (up to the interaction's lifetime): an agency that took a redirect
URI out of its registration (its host compromised, RFC 7592 PUT or the operator) still had codes,
and the citizen's refusal, sent there for every request begun before, whoever began them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from clients.registry.services import find_client, update_client
from infra.db import get_db
from tests.idp.oidc.conftest import REDIRECT, Flow, authorize_url, decide

OLD = "https://portal.example.gov/old-callback"


def _remove_old(app, agency) -> None:
    with get_db(app).transaction() as session:
        row = find_client(session, agency.client_id)
        update_client(session, row, metadata={**row.client_metadata, "redirect_uris": [REDIRECT]})


@pytest.mark.parametrize("answer", ["allow", "deny"])
def test_a_decision_is_not_sent_to_a_redirect_uri_removed_since_the_page(client, register, citizen, oidc_app,
                                                                         answer):
    agency = register(redirect_uris=[REDIRECT, OLD])
    agency.redirect_uri = OLD
    page = client.get(authorize_url(agency, Flow()))
    assert page.status_code == 200  # the decision page, the request kept meanwhile
    _remove_old(oidc_app, agency)

    answered = decide(client, page, answer)
    assert answered.status_code == 400, answered.headers.get("Location")
    assert "Location" not in answered.headers
    # The agency's registered redirect URI still works, for a request begun now.
    agency.redirect_uri = REDIRECT
    page = client.get(authorize_url(agency, Flow()))
    answered = decide(client, page, answer)
    assert answered.status_code == 303 and urlsplit(answered.headers["Location"]).path == "/callback"


def test_a_resumed_request_is_not_answered_at_a_redirect_uri_removed_since(client, register, oidc_app):
    """The request began before the citizen signed in; the URI went while they did."""
    from tests.idp.conftest import enrol

    agency = register(redirect_uris=[REDIRECT, OLD])
    agency.redirect_uri = OLD
    to_login = client.get(authorize_url(agency, Flow()))
    assert to_login.status_code == 302 and to_login.headers["Location"].startswith("/login?next=")
    resume = to_login.headers["Location"].split("next=", 1)[1].replace("%3F", "?").replace("%3D", "=")
    enrol(client)  # signs the citizen in
    _remove_old(oidc_app, agency)

    resumed = client.get(resume)
    assert resumed.status_code == 400, resumed.headers.get("Location")
    assert "Location" not in resumed.headers
