"""The citizen hears, at their account's e-mail address, when a recovery code was used or a
passkey added or deleted: someone who took the account over (a stolen recovery code, a copied
session that passed a re-check) cannot do it silently."""

from __future__ import annotations

import re

from tests.idp.account.test_pages import add_passkey
from tests.idp.conftest import csrf, enrol, recheck
from tests.support.authenticator import SoftwareAuthenticator

EMAIL = "victima@correo.example"


def _messages(app):
    from infra.notify import get_outbox

    return [(m.subject, m.body) for m in get_outbox(app).messages(addresses=[EMAIL])]


def test_a_recovery_code_used_is_told_to_the_citizen(client):
    app = client.application
    victim = enrol(client, email=EMAIL)
    assert _messages(app) == []
    impostor = app.test_client()
    done = impostor.post("/recover", data={"csrf_token": csrf(impostor, "/recover"),
                                           "national_id": victim.national_id, "code": victim.codes[0]})
    assert done.status_code == 303
    [(subject, body)] = _messages(app)
    assert "código de recuperación" in subject
    assert "Si no fue usted" in body and "/account" in body and "oficina de atención" in body
    assert not re.search(r"\d{4}-\d\d-\d\d", body), body  # the moment in words, not ISO 8601
    assert re.search(r"\d{4}, \d{1,2}:\d\d", body), body

    add_passkey(impostor, SoftwareAuthenticator())  # the impostor's own passkey
    subjects = [subject for subject, _ in _messages(app)]
    assert len(subjects) == 2 and "llave de acceso" in subjects[0]


def test_a_passkey_added_or_deleted_is_told_to_the_citizen(client):
    app = client.application
    person = enrol(client, email=EMAIL)
    second = SoftwareAuthenticator()
    add_passkey(client, second)
    [(subject, body)] = _messages(app)
    assert "se añadió" in subject and "Si no fue usted" in body
    recheck(client, person.key)
    deleted = client.post(f"/account/passkeys/{second.credential_id_b64}/delete",
                          data={"csrf_token": csrf(client, "/account")})
    assert deleted.status_code in (302, 303)
    subjects = [subject for subject, _ in _messages(app)]
    assert len(subjects) == 2 and "se borró" in subjects[0]
