"""A post_logout_redirect_uri the agency removed from its registration while the citizen was
asked to confirm the sign-out is not where the citizen is sent (RP-Initiated Logout 1.0
section 3: only a registered one).

The request was checked when it arrived and kept for the citizen's answer: the confirmation
then sent the citizen (and the request's state) to the URI as it was registered then, a host the
agency may have given up since. The sign-out still happens; the citizen sees Cédula's own page.
"""

from __future__ import annotations

from clients.registry.services import find_client, update_client
from infra.db import get_db
from tests.idp.logout.test_end_session import BACK, confirmation, end_session, signed_in

KEPT = "https://portal.example.gov/bye"


def _confirmed_once_only_kept_is_registered(client, register, oidc_app, uri: str):
    """The sign-out asked with `uri` and confirmed after the agency registered only KEPT."""
    agency = register(post_logout_redirect_uris=[BACK, KEPT])
    form = confirmation(end_session(client, client_id=agency.client_id, post_logout_redirect_uri=uri,
                                    state="st"))
    with get_db(oidc_app).transaction() as session:
        row = find_client(session, agency.client_id)
        update_client(session, row, metadata={**row.client_metadata, "post_logout_redirect_uris": [KEPT]})
    return client.post("/end-session/confirm", data={**form, "decision": "logout"})


def test_the_confirmation_does_not_send_the_citizen_to_a_uri_removed_since(client, register, citizen, oidc_app):
    answer = _confirmed_once_only_kept_is_registered(client, register, oidc_app, BACK)
    assert answer.status_code == 200, answer.headers.get("Location")
    assert "Location" not in answer.headers
    assert not signed_in(client)  # the citizen asked to sign out: done


def test_a_uri_still_registered_is_where_the_confirmation_leads(client, register, citizen, oidc_app):
    answer = _confirmed_once_only_kept_is_registered(client, register, oidc_app, KEPT)
    assert answer.status_code == 303 and answer.headers["Location"] == KEPT + "?state=st"
