"""A registrar's binding code opens the account only while it is the latest one issued for it:
a new in-person recovery (at this office or another) ends every passkey, recovery code and
session of the account, and the binding codes issued before it too, so only the person whose
document was checked last can get in (idp.registrar.services.start_recovery)."""

from __future__ import annotations

from tests.idp.conftest import csrf
from tests.idp.registrar.conftest import bind, desk_recovery_code
from tests.idp.registrar.test_registrar import _other_citizen


def test_a_newer_recovery_ends_the_binding_codes_issued_before_it(client, oidc_app, registrar):
    citizen_id, _ = _other_citizen(oidc_app)
    first = desk_recovery_code(client, citizen_id)   # someone with a document that passed, once
    second = desk_recovery_code(client, citizen_id)  # the genuine holder, later
    stale = oidc_app.test_client()
    shown = stale.post("/bind", data={"csrf_token": csrf(stale, "/bind"), "code": first})
    assert shown.status_code == 400  # the account is not even named
    assert stale.post("/bind/confirm", data={"csrf_token": csrf(stale, "/bind"),
                                             "code": first}).status_code == 400
    assert stale.get("/account").status_code in (302, 303)
    device = oidc_app.test_client()
    done = bind(device, second)
    assert done.status_code == 303 and done.headers["Location"] == "/account"
