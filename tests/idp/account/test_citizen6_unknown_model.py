"""A passkey whose model the device does not tell (an all-zero AAGUID, as iCloud Keychain and
many browsers send) read «Guardada en: Llave de acceso» / "Stored in: Passkey" on the account
page, an answer that says nothing, and its deletion page «Va a borrar la llave de acceso «Llave
de acceso» (Llave de acceso) de su cuenta.». The page now says the device does not tell, and
the deletion names the model only when it is known."""

from __future__ import annotations

import re

import pytest

from tests.idp.account.test_confirm_delete import add_passkey
from tests.support.authenticator import SoftwareAuthenticator

SAYS = {"es": "Su dispositivo no lo indica", "en": "Your device does not say"}
LEAD = {"es": "Va a borrar la llave de acceso «{name}» de su cuenta.",
        "en": "You are about to delete the passkey “{name}” from your account."}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_an_unknown_model_is_said_to_be_unknown(client, enrolled, lang):
    second = SoftwareAuthenticator()  # all-zero AAGUID: no model
    add_passkey(client, second)
    client.set_cookie("lang", lang)
    html = client.get("/account").get_data(as_text=True)
    assert re.findall(r'<dd class="passkey-model">([^<]*)</dd>', html) == [SAYS[lang]] * 2
    page = client.get(f"/account/passkeys/{second.credential_id_b64}/delete").get_data(as_text=True)
    names = re.findall(r'<span class="passkey-name">([^<]*)</span>', html)
    assert any(LEAD[lang].format(name=name) in page for name in names), "the lead names no model"
