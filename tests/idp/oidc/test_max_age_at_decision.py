"""max_age (OIDC Core 1.0 section 3.1.2.1) holds until the code is issued, not only until the
consent page is shown: a citizen who answers the page after max_age has run out signs in again
first. Otherwise the ID token's auth_time is older than the agency allowed, and a strict RP
(openid-client: "too much time has elapsed since the last End-User authentication") refuses it."""

from __future__ import annotations

from tests.idp.conftest import age_session
from tests.idp.oidc.conftest import Flow, authorize_url, decide


def test_a_decision_made_after_max_age_ran_out_signs_in_again(client, register, citizen):
    agency = register()
    page = client.get(authorize_url(agency, Flow(), max_age="300"))
    assert page.status_code == 200 and 'name="decision"' in page.get_data(as_text=True)
    age_session(client, 600)  # the citizen left the page open for ten minutes
    answer = decide(client, page)
    assert answer.status_code == 303, answer.headers.get("Location")
    assert answer.headers["Location"].startswith("/authorize/continue?"), answer.headers["Location"]
    # Coming back there leads to sign-in again, not to a code.
    assert client.get(answer.headers["Location"]).headers["Location"].startswith("/login?next=")


def test_a_decision_within_max_age_issues_the_code(client, register, citizen):
    agency = register()
    page = client.get(authorize_url(agency, Flow(), max_age="300"))
    age_session(client, 60)
    answer = decide(client, page)
    assert answer.headers["Location"].startswith(agency.redirect_uri + "?code="), answer.headers["Location"]
