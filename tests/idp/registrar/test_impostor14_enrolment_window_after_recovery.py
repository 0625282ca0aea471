"""A desk recovery closes the passkey step of an assisted enrolment still open (impostor14).

The registrar who enrolled an identity may bind its first passkey for some minutes. If the
account is handed to the document's holder at a desk meanwhile (someone was enrolled with the
holder's details on a forged card, by a registrar fooled or in on it), that step must not add
a passkey to the account the desk just handed over, nor give out a code that supersedes the
holder's own (a new binding code is the account's only one)."""

from __future__ import annotations

import re

from tests.idp.conftest import csrf, post_json
from tests.idp.registrar.conftest import bind, desk_recovery_code
from tests.idp.registrar.test_assisted_enrolment import _created
from tests.support.authenticator import SoftwareAuthenticator


def _recovered(client) -> tuple[str, str, str]:
    """An identity enrolled at this desk whose passkey step is open, then recovered at a desk:
    its id, the holder's binding code and the enrolment page's CSRF token."""
    citizen_id = _created(client)
    html = client.get(f"/registrar/enrolments/{citizen_id}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    return citizen_id, desk_recovery_code(client, citizen_id), token


def _passkeys(app, citizen_id: str) -> int:
    import uuid

    import sqlalchemy as sa

    from idp.citizens.models import Passkey
    from infra.db import get_db

    with get_db(app).read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Passkey)
                              .where(Passkey.citizen_id == uuid.UUID(citizen_id)))


def test_no_security_key_is_bound_after_the_recovery(client, oidc_app, registrar):
    citizen_id, _code, token = _recovered(client)
    headers = {"X-CSRF-Token": token, "Origin": "http://localhost"}
    options = post_json(client, f"/registrar/enrolments/{citizen_id}/key/options", {}, headers=headers)
    assert options.status_code == 410 and options.get_json()["error"] == "enrolment_closed"
    assert client.get(f"/registrar/enrolments/{citizen_id}").status_code == 410
    assert _passkeys(oidc_app, citizen_id) == 0


def test_options_taken_before_the_recovery_bind_nothing_after_it(client, oidc_app, registrar):
    citizen_id = _created(client)
    html = client.get(f"/registrar/enrolments/{citizen_id}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    headers = {"X-CSRF-Token": token, "Origin": "http://localhost"}
    options = post_json(client, f"/registrar/enrolments/{citizen_id}/key/options", {}, headers=headers)
    assert options.status_code == 200
    desk_recovery_code(client, citizen_id)
    verified = post_json(client, f"/registrar/enrolments/{citizen_id}/key/verify",
                         SoftwareAuthenticator().register(options.get_json()), headers=headers)
    assert verified.status_code == 410 and verified.get_json()["error"] == "enrolment_closed"
    assert _passkeys(oidc_app, citizen_id) == 0


def test_no_phone_link_supersedes_the_holders_code(client, oidc_app, registrar):
    citizen_id, code, token = _recovered(client)
    phone = client.post(f"/registrar/enrolments/{citizen_id}/phone", data={"csrf_token": token})
    assert phone.status_code == 410
    # The holder's code, from the desk, still opens the account.
    holder = oidc_app.test_client()
    assert bind(holder, code).headers["Location"] == "/account"


def test_nor_after_the_record_was_frozen(client, oidc_app, registrar):
    """A reclaim froze the record (its national ID given back to its holder): the step that
    was open for it binds nothing to a record that holds no identity."""
    import uuid

    from idp.citizens.models import FROZEN_PREFIX, Citizen
    from infra.db import get_db

    citizen_id = _created(client)
    token = csrf(client, f"/registrar/enrolments/{citizen_id}")
    with get_db(oidc_app).transaction() as session:
        session.get(Citizen, uuid.UUID(citizen_id)).national_id = FROZEN_PREFIX + "impostor14"  # as a reclaim leaves it
    assert client.get(f"/registrar/enrolments/{citizen_id}").status_code == 410  # not offered
    phone = client.post(f"/registrar/enrolments/{citizen_id}/phone", data={"csrf_token": token})
    assert phone.status_code == 410
    headers = {"X-CSRF-Token": token, "Origin": "http://localhost"}
    options = post_json(client, f"/registrar/enrolments/{citizen_id}/key/options", {}, headers=headers)
    assert options.status_code == 410 and options.get_json()["error"] == "enrolment_closed"
