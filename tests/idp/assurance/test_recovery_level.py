"""A recovery code proves that its bearer holds a piece of paper, not who they are: recovering
an account with one must not hand its identity level to the passkey the bearer adds. The
proofing starts again (the evidence says why) and has to be proven again."""

from __future__ import annotations

import uuid

from tests.idp.assurance.conftest import all_formats_listed, device_key, proofing, set_proofing
from tests.idp.conftest import dui, enrol, post_json, recover


def test_a_stolen_recovery_code_does_not_carry_the_identity_level(client, oidc_app, pki, metadata):
    from idp.assurance.services import assess
    from infra.db import get_db

    metadata(all_formats_listed(pki))
    victim = enrol(client, device_key(pki, counter_step=1), national_id=dui(44444444))
    set_proofing(oidc_app, victim.citizen_id, "high")
    assert proofing(oidc_app, victim.citizen_id)[0] == "high"

    impostor = recover(oidc_app, victim.national_id, victim.codes[0])  # a code found in a drawer
    security_key = device_key(pki, counter_step=1)  # device-bound, attested: a high authenticator
    options = post_json(impostor, "/webauthn/registration/options", {}).get_json()
    assert post_json(impostor, "/webauthn/registration/verify",
                     security_key.register(options)).status_code == 200

    level, method = proofing(oidc_app, victim.citizen_id)
    assert (level, method) == ("low", "self_asserted")
    with get_db(oidc_app).read() as db:
        assessed = assess(db, citizen_id=victim.citizen_id,
                          credential_id=security_key.credential_id, amr=("hwk", "mfa"))
    assert assessed.level == "low"
    page = impostor.get("/account/assurance").get_data(as_text=True)
    assert "entró con un código de recuperación" in page  # the evidence says why, and what next


def test_recovering_a_low_account_changes_nothing_else(client, oidc_app):
    from idp.assurance.models import ProofingEvidence
    from infra.db import get_db

    person = enrol(client, national_id=dui(55555555))
    recover(oidc_app, person.national_id, person.codes[0])
    assert proofing(oidc_app, person.citizen_id) == ("low", "self_asserted")
    with get_db(oidc_app).read() as db:
        assert db.query(ProofingEvidence).filter_by(
            citizen_id=uuid.UUID(person.citizen_id)).count() == 0
