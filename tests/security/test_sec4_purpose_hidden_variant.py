"""A consent is for an agency and a purpose (issue 14): an agency that declares another purpose
(RFC 7592 lets it replace its metadata) must ask the citizen again. The purpose a decision was
given for counts only where citizens read it: the purpose the pages show in one of the
provider's languages (`clients.registry.localized.localized`, as the consent page picks it).

Attack: the agency replaced its purpose with a new one and kept the old text under a language
tag no page ever shows (`purpose#zz`, OIDC Registration section 2.1 lets it add any tag). Every
decision given for the old purpose still stood: codes at once, prompt=none, refresh tokens and
UserInfo went on for a purpose no citizen had read."""

from __future__ import annotations

import pytest

from clients.registry import find_client
from infra.db import get_db
from tests.idp.oidc.conftest import Flow, authorize_url, bearer, redirect_params, tokens_for

OLD = "Trámites de residencia"
NEW = "Publicidad dirigida"


def _declare(app, agency, **metadata: str) -> None:
    with get_db(app).transaction() as session:
        found = find_client(session, agency.client_id)
        kept = {key: value for key, value in found.client_metadata.items() if not key.startswith("purpose")}
        found.client_metadata = {**kept, **metadata}


@pytest.mark.parametrize("hidden", [{"purpose#zz": OLD}, {"purpose#en": NEW, "purpose#es": NEW, "purpose": OLD}],
                         ids=["unread-tag", "untagged-under-every-language"])
def test_an_old_purpose_kept_where_no_page_shows_it_answers_nothing(client, register, citizen, hidden):
    agency = register(purpose=OLD)
    issued = tokens_for(client, agency, scope="openid profile")
    declared = {"purpose": NEW, **hidden} if "purpose" not in hidden else dict(hidden)
    _declare(client.application, agency, **declared)

    silent = client.get(authorize_url(agency, Flow(), scope="openid profile", prompt="none"))
    assert redirect_params(silent, agency)["error"] == "consent_required"
    page = client.get(authorize_url(agency, Flow(), scope="openid profile"))
    assert page.status_code == 200 and NEW in page.get_data(as_text=True)  # asked again
    refused = client.get("/userinfo", headers=bearer(issued["access_token"]))
    assert refused.status_code == 401, refused.get_json()


def test_an_old_purpose_still_shown_in_a_language_of_the_pages_stands(client, register, citizen):
    """A translation added (or kept) where citizens read it is no new purpose."""
    agency = register(purpose=OLD)
    tokens_for(client, agency, scope="openid profile")
    _declare(client.application, agency, purpose=OLD, **{"purpose#en": "Residence procedures"})
    at_once = client.get(authorize_url(agency, Flow(), scope="openid profile", prompt="none"))
    assert "code" in redirect_params(at_once, agency)
