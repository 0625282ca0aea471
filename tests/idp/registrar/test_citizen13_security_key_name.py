"""A security key bound at the desk is named in the page's language (citizen13).

A key whose model the service does not know (no AAGUID, or one not in the list) was named
"Security key" in English, fixed in code: the citizen's account page, in Spanish, listed their
only passkey as "Security key". It is now named from the catalog
(`registrar.enrolment.security_key_name`), in the language of the page that binds it.
"""

from __future__ import annotations

import re

import pytest

from infra.web.i18n import catalog
from tests.idp.conftest import sign_in
from tests.idp.registrar.test_assisted_enrolment import _created, _json
from tests.support.authenticator import SoftwareAuthenticator


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_unknown_key_is_named_in_the_pages_language(client, oidc_app, registrar, language):
    client.set_cookie("lang", language)
    citizen_id = _created(client)
    html = client.get(f"/registrar/enrolments/{citizen_id}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    options = _json(client, f"/registrar/enrolments/{citizen_id}/key/options", {}, token)
    key = SoftwareAuthenticator()  # AAGUID all zeros: no known model
    verified = _json(client, f"/registrar/enrolments/{citizen_id}/key/verify",
                     key.register(options.get_json()), token)
    assert verified.status_code == 200, verified.get_json()
    expected = catalog(oidc_app).get("registrar.enrolment.security_key_name", language)
    assert verified.get_json()["name"] == expected

    citizen = oidc_app.test_client()
    assert sign_in(citizen, key).status_code == 200
    citizen.set_cookie("lang", language)
    account = citizen.get("/account").get_data(as_text=True)
    assert f'key-name">{expected}</span>' in account
