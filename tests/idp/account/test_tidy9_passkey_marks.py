"""Deleting a passkey, or a clone signal blocking one, leaves a withdrawal mark for the codes in
flight (`idp.oidc.codes.mark_withdrawal`) carrying why: a code for another agency is refused
saying a passkey was deleted or blocked, not that the citizen withdrew that agency's access."""

from __future__ import annotations

from dataclasses import replace

from idp.citizens.models import Passkey
from idp.oidc import codes
from infra.db import get_db
from infra.store import get_store
from tests.idp.account.conftest import clone_with_tokens, delete_passkey, two_passkeys
from tests.idp.conftest import sign_in
from tests.idp.oidc.conftest import oidc_app, register  # noqa: F401
from tests.idp.oidc.test_units import _grant


def settled_for(app, credential_id: bytes) -> str | None:
    """What a code issued before now to the owner of `credential_id` settles as."""
    with get_db(app).read() as db:
        citizen_id = str(db.query(Passkey).filter_by(credential_id=credential_id).one().citizen_id)
    return codes.settled(get_store(app), replace(_grant(), citizen_id=citizen_id, issued_at=0))


def test_deleting_a_passkey_marks_codes_in_flight_as_its_deletion(client, oidc_app):  # noqa: F811
    lost, kept = two_passkeys(client)
    assert delete_passkey(client, lost).headers["Location"] == "/account?done=deleted"
    assert settled_for(oidc_app, kept.credential_id) == codes.PASSKEY_DELETED


def test_a_clone_signal_marks_codes_in_flight_as_a_blocked_passkey(client, oidc_app, register):  # noqa: F811
    agency = register()
    genuine, _, _ = clone_with_tokens(client, agency)
    assert sign_in(oidc_app.test_client(), genuine).get_json()["error"] == "sign_count_regression"
    assert settled_for(oidc_app, genuine.credential_id) == codes.PASSKEY_SUSPECT
