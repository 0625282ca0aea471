"""A step-up sign-in is answered only by a passkey its options named (impostor review, round 11).

`POST /webauthn/authentication/options` with {"acr": level} and a signed-in citizen names in
allowCredentials only their passkeys that reach the level. The assertion was then accepted
from any passkey of the citizen: W3C WebAuthn Level 3, 7.2 step 5 ("If
options.allowCredentials is not empty, verify that credential.id identifies one of the public
key credentials listed in options.allowCredentials") was not checked. The session's level
came from the passkey used, so nothing was over-claimed, but a client (or a script on the
page) answering with another passkey was let through, and a step-up asked for high ended in a
sign-in that did not reach it. Now the options' list is kept with the challenge and another
credential is refused (400 invalid_credential, saying to use one of the passkeys that reach
the level asked), in Spanish and English, before anything is recorded."""

from __future__ import annotations

from tests.idp.assurance.conftest import metadata, pki  # noqa: F401 - fixtures
from tests.idp.assurance.test_oidc_levels import _two_passkeys
from tests.idp.conftest import post_json, sign_in
from tests.idp.oidc.conftest import oidc_app  # noqa: F401 - fixture


def _sign_ins(app, citizen_id: str) -> int:
    import uuid

    import sqlalchemy as sa

    from idp.citizens.models import Passkey
    from infra.db import get_db

    with get_db(app).read() as session:
        return sum(session.scalars(sa.select(Passkey.sign_count).where(
            Passkey.citizen_id == uuid.UUID(citizen_id))))


def test_a_step_up_refuses_a_passkey_its_options_did_not_name(client, oidc_app, pki, metadata):  # noqa: F811
    citizen, synced, device = _two_passkeys(client, oidc_app, pki, metadata)
    for language, words in (("es", "las que alcanzan ese nivel"),
                            ("en", "those that reach that level")):
        options = post_json(client, "/webauthn/authentication/options", {"acr": "high"}).get_json()
        assert [c["id"] for c in options["allowCredentials"]] == [device.credential_id_b64]
        counted = _sign_ins(oidc_app, citizen.citizen_id)
        refused = post_json(client, "/webauthn/authentication/verify", synced.authenticate(options),
                            headers={"Accept-Language": language})
        assert refused.status_code == 400, refused.get_json()
        assert refused.get_json()["error"] == "invalid_credential"
        assert words in refused.get_json()["error_description"], refused.get_json()
        assert _sign_ins(oidc_app, citizen.citizen_id) == counted  # nothing recorded
    # A passkey it named is accepted; a sign-in without acr still takes any passkey.
    options = post_json(client, "/webauthn/authentication/options", {"acr": "high"}).get_json()
    assert post_json(client, "/webauthn/authentication/verify",
                     device.authenticate(options)).status_code == 200
    assert sign_in(client, synced).status_code == 200
