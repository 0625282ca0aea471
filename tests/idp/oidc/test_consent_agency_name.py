"""The consent page names the agency in words a citizen recognises, never its client_id: the
registered client_name in the citizen's language, else the name it registered in another
language, else the host of its site (client_uri), else the host of its redirect URI."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.attributes import flag_modified

from tests.idp.oidc.conftest import Flow, authorize_url


def _rename(app, client_id: str, **changes) -> None:
    """Set (or, with None, remove) registered metadata of `client_id` as an older registration
    or an operator's edit could have left it."""
    from clients.registry import find_client
    from idp.oidc import provider
    from infra.db import get_db

    with get_db(app).transaction() as session:
        client = find_client(session, client_id)
        metadata = dict(client.client_metadata)
        for name, value in changes.items():
            if value is None:
                metadata.pop(name.replace("__", "#"), None)
            else:
                metadata[name.replace("__", "#")] = value
        client.client_metadata = metadata
        flag_modified(client, "client_metadata")
    provider(app).clients.clear()


def _consent_page(client, agency, lang: str) -> str:
    page = client.get(authorize_url(agency, Flow()), headers={"Accept-Language": lang})
    assert page.status_code == 200, page.status_code
    return page.get_data(as_text=True)


@pytest.mark.parametrize(("changes", "lang", "shown"), [
    ({"client_name": None, "client_name__en": "Tax Office"}, "es", "Tax Office"),
    ({"client_name": None, "client_name__es": "Hacienda", "client_name__en": "Treasury"}, "en", "Treasury"),
    ({"client_name": None, "client_uri": "https://www.hacienda.example.gov/inicio"}, "es", "www.hacienda.example.gov"),
    ({"client_name": None}, "es", "portal.example.gov"),
    ({"client_name": "   "}, "en", "portal.example.gov"),
], ids=["other-language", "own-language", "site", "redirect-host", "blank-name"])
def test_an_agency_without_a_name_in_the_language_is_never_shown_as_its_id(
        client, oidc_app, register, citizen, changes, lang, shown):
    agency = register(redirect_uris=["https://portal.example.gov/callback"])
    _rename(oidc_app, agency.client_id, **changes)
    page = _consent_page(client, agency, lang)
    main = page[page.index("<main"):page.index("</main>")]
    assert agency.client_id not in main
    assert shown in main
