"""The citizen's refusal of an agency that is gone since the decision page was shown (an
operator disabled it, or its registration was deleted, RFC 7592 section 2.3) is not sent to
the agency's redirect URI: an agency that no longer exists gets no answer from the provider
(the allow path and a resumed request show the 'agency gone' page already). Before, 'deny'
redirected the browser there with access_denied and the request's state: a host the
disabled agency gave up (or lost) still received the citizen's answers."""

from __future__ import annotations

import pytest

from clients.registry.services import delete_client, find_client, set_enabled
from infra.db import get_db
from tests.idp.oidc.conftest import Flow, authorize_url, decide


def _disable(app, client_id: str) -> None:
    with get_db(app).transaction() as session:
        set_enabled(session, client_id, enabled=False)


def _delete(app, client_id: str) -> None:
    with get_db(app).transaction() as session:
        delete_client(session, find_client(session, client_id))


@pytest.mark.parametrize("gone", [_disable, _delete], ids=["disabled", "deleted"])
@pytest.mark.parametrize("answer", ["deny", "allow"])
def test_an_answer_for_an_agency_gone_since_the_page_goes_nowhere(client, register, citizen, oidc_app, gone,
                                                                  answer):
    agency = register()
    page = client.get(authorize_url(agency, Flow()))
    assert page.status_code == 200  # the decision page
    gone(oidc_app, agency.client_id)

    answered = decide(client, page, answer)
    assert "Location" not in answered.headers, answered.headers.get("Location")
    assert 400 <= answered.status_code < 500
