"""A desk recovery hands an account to the person at the desk, not the staff powers it holds
(impostor review, round 12).

A registrar recovers an account at the desk when its holder shows an identity document and has
lost their passkeys (`idp.registrar.services.start_recovery`): the account's passkeys end and a
binding code lets the person at the desk add their own. Done on an operator's (or another
registrar's) account, by a registrar who is in on it or fooled by a forged card, the binding
code also handed over the operator role: whoever bound a passkey with it opened the operator
console at level high (the proofing a desk check gives) and granted roles (the operator role
to the registrar's own account, which no operator may do for themselves) or rotated keys. A
registrar became an operator with nobody else involved, around the separation of duties of
the console (`idp.operator.services.check_own_role`) and of the desk (`is_own_record`).

Now the recovery ends the account's operator and registrar roles with its passkeys, in the
same transaction and in the operator trail: the person gets their account back, and another
operator grants the roles again once they know who holds it."""

from __future__ import annotations

import uuid

from tests.idp.assurance.conftest import add_device_key, enrol_at_level_high
from tests.idp.conftest import csrf, dui
from tests.idp.operator.conftest import grant_operator
from tests.idp.registrar.conftest import bind, desk_recovery_code
from tests.idp.registrar.test_registrar import _grant

REGISTRAR_ID = dui(11111111)


def _roles(app, citizen_id: str) -> dict[str, bool]:
    from idp.operator.models import Operator
    from idp.registrar.models import Registrar
    from infra.db import get_db

    key = uuid.UUID(citizen_id)
    with get_db(app).read() as session:
        return {name: row is not None and row.revoked_at is None
                for name, row in (("operator", session.get(Operator, key)),
                                  ("registrar", session.get(Registrar, key)))}


def test_a_desk_recovery_of_an_operator_hands_over_no_operator_console(client, oidc_app, pki, metadata,
                                                                       registrar):
    operator = enrol_at_level_high(oidc_app.test_client(), oidc_app, pki, metadata, dui(44444444))
    grant_operator(oidc_app, operator.citizen_id)
    code = desk_recovery_code(client, operator.citizen_id)

    taker = oidc_app.test_client()  # the registrar's own phone, not the operator's
    assert bind(taker, code).status_code == 303
    add_device_key(taker, pki)  # device-bound and attested: the account's desk proofing, level high
    assert taker.get("/account").status_code == 200

    console = taker.get("/operator/people")
    assert console.status_code == 403
    assert "solo para el personal de operación" in console.get_data(as_text=True)
    granted = taker.post("/operator/people", data={
        "csrf_token": csrf(taker, "/account"), "role": "operator", "action": "grant",
        "national_id": REGISTRAR_ID})
    assert granted.status_code == 403
    assert _roles(oidc_app, registrar.citizen_id) == {"operator": False, "registrar": True}
    assert _roles(oidc_app, operator.citizen_id) == {"operator": False, "registrar": False}


def test_a_desk_recovery_of_a_registrar_ends_their_registrar_role(client, oidc_app, pki, metadata, registrar):
    colleague = enrol_at_level_high(oidc_app.test_client(), oidc_app, pki, metadata, dui(55555555))
    _grant(oidc_app, colleague.citizen_id, point="Oficina Norte")
    code = desk_recovery_code(client, colleague.citizen_id)

    taker = oidc_app.test_client()
    assert bind(taker, code).status_code == 303
    add_device_key(taker, pki)
    console = taker.get("/registrar")
    assert console.status_code == 403
    assert _roles(oidc_app, colleague.citizen_id) == {"operator": False, "registrar": False}


def test_the_trail_says_which_roles_the_recovery_ended(client, oidc_app, pki, metadata, registrar):
    from idp.registrar.models import RegistrarAuditEntry
    from infra.db import get_db

    operator = enrol_at_level_high(oidc_app.test_client(), oidc_app, pki, metadata, dui(44444444))
    grant_operator(oidc_app, operator.citizen_id)
    desk_recovery_code(client, operator.citizen_id)
    with get_db(oidc_app).read() as session:
        ended = [e for e in session.query(RegistrarAuditEntry)
                 .filter_by(action="recovery.credentials_ended", citizen_id=uuid.UUID(operator.citizen_id))]
    assert [e.details.get("roles_revoked") for e in ended] == [["operator"]]
    assert ended[0].actor == f"registrar:{registrar.citizen_id}"


def test_a_citizen_without_roles_is_recovered_as_before(client, oidc_app, pki, metadata, registrar):
    citizen = enrol_at_level_high(oidc_app.test_client(), oidc_app, pki, metadata, dui(66666666))
    code = desk_recovery_code(client, citizen.citizen_id)
    device = oidc_app.test_client()
    assert bind(device, code).status_code == 303
    add_device_key(device, pki)
    assert device.get("/account").status_code == 200
    assert _roles(oidc_app, citizen.citizen_id) == {"operator": False, "registrar": False}
