"""A passkey whose model the FIDO metadata reports compromised after it was registered (MDS3
section 3.1.4: REVOKED, USER_VERIFICATION_BYPASS, a key compromise) gives level low at most
(`idp.assurance.services.reported`). The citizen's pages say so, plainly, and what to do."""

from __future__ import annotations

import html

from tests.idp.assurance.conftest import add_device_key, all_formats_listed, set_proofing
from tests.idp.conftest import dui, enrol
from tests.support.attestation import AAGUIDS
from tests.support.authenticator import SoftwareAuthenticator

EN = {"Accept-Language": "en"}
ES = {"Accept-Language": "es"}
NOTICE_EN = ("The maker of this passkey's model has reported a security problem with it. "
             "It now only gives you the basic level (low)")
NOTICE_ES = ("El fabricante del modelo de esta llave de acceso informó de un problema de seguridad. "
             "Ahora solo le da el nivel básico (bajo)")


def _page(client, path: str, headers: dict[str, str]) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return html.unescape(" ".join(response.get_data(as_text=True).split()))


def _citizen_with_a_synced_and_a_device_key(client, app, pki, metadata):
    metadata(all_formats_listed(pki))
    citizen = enrol(client, SoftwareAuthenticator(backup_eligible=True, backed_up=True),
                    national_id=dui(4892613))
    device = add_device_key(client, pki)
    set_proofing(app, citizen.citizen_id, "high")
    return device


def test_the_account_pages_tell_what_to_do_about_a_model_reported_compromised(client, fresh_app,
                                                                              pki, metadata):
    """Before: the assurance page only showed the passkey at level "low", with no reason and
    nothing to do; the passkeys list said nothing."""
    _citizen_with_a_synced_and_a_device_key(client, fresh_app, pki, metadata)
    for path in ("/account", "/account/assurance"):
        assert "reported" not in _page(client, path, EN)  # nothing reported: no notice
        assert "informó de un problema" not in _page(client, path, ES)
    metadata([pki.entry(aaguid=AAGUIDS["packed-full"], statuses=["FIDO_CERTIFIED", "USER_VERIFICATION_BYPASS"])])

    passkeys = _page(client, "/account", EN)
    assert passkeys.count(NOTICE_EN) == 1  # the device key's card only, not the synced passkey's
    assert "Add another passkey, then remove this one." in passkeys
    assert '<a href="#add-passkey">Add another passkey</a>' in passkeys
    assert 'id="add-passkey"' in passkeys  # the button it goes to
    assert NOTICE_ES in _page(client, "/account", ES)
    assert "Agregue otra llave de acceso y, después, elimine esta." in _page(client, "/account", ES)

    assurance = _page(client, "/account/assurance", EN)
    assert assurance.count(NOTICE_EN) == 1
    assert '<a href="/account#add-passkey">Add another passkey</a>' in assurance
    assert NOTICE_ES in _page(client, "/account/assurance", ES)
