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
    """The notices sent so far: the notify worker sends what the requests queued."""
    from infra.notify import get_outbox, get_worker

    get_worker(app).run_once()
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
    assert "se agregó" in subject and "Si no fue usted" in body
    recheck(client, person.key)
    deleted = client.post(f"/account/passkeys/{second.credential_id_b64}/delete",
                          data={"csrf_token": csrf(client, "/account")})
    assert deleted.status_code in (302, 303)
    subjects = [subject for subject, _ in _messages(app)]
    assert len(subjects) == 2 and "se borró" in subjects[0]


class MailServer:
    """A notifier standing for the mail server: unreachable until `up`; counts every attempt."""

    def __init__(self) -> None:
        self.up = False
        self.attempts = 0
        self.sent: list[dict[str, str]] = []

    def send(self, **message: str):
        from infra.notify import DeliveryFailed, Sent

        self.attempts += 1
        if not self.up:
            raise DeliveryFailed("connection refused")
        self.sent.append(message)
        return Sent(channel="email", via="smtp", id=str(self.attempts))


def _pending(app) -> dict[str, int]:
    from infra.db import get_db
    from infra.notify.queue import TOPIC
    from infra.outbox import Outbox

    return Outbox(get_db(app)).counts(TOPIC)


def test_an_unreachable_mail_server_neither_slows_nor_fails_the_request(client, monkeypatch):
    """The notice is queued with the change; the request never talks to the mail server. The
    notify worker sends it once the server is back (tried again, backing off)."""
    import time

    from infra.notify import NOTIFIER, get_worker
    from tests.support.components import replace_component

    app = client.application
    victim = enrol(client, email=EMAIL)
    server = replace_component(monkeypatch, app, NOTIFIER, MailServer())
    impostor = app.test_client()
    done = impostor.post("/recover", data={"csrf_token": csrf(impostor, "/recover"),
                                           "national_id": victim.national_id, "code": victim.codes[0]})
    assert done.status_code == 303
    assert server.attempts == 0 and _pending(app) == {"pending": 1}  # queued, not sent inline

    assert get_worker(app).run_once() == {"retry": 1}  # the server is still down
    assert server.sent == [] and _pending(app) == {"pending": 1}
    server.up = True
    assert get_worker(app).run_once() == {}  # not due again yet (it backs off)
    assert get_worker(app).run_once(now=time.time() + 3600) == {"sent": 1}
    [message] = server.sent
    assert message["address"] == EMAIL and "código de recuperación" in message["subject"]
    assert "Si no fue usted" in message["body"] and message["language"] == "es"
    assert _pending(app) == {"delivered": 1}


def test_the_real_smtp_transport_unreachable_still_lets_the_request_through(client, monkeypatch):
    from infra.notify import NOTIFIER, SmtpNotifier, SmtpSettings, get_worker
    from tests.support.components import replace_component
    from tests.support.smtp import HOST, closed_port

    app = client.application
    person = enrol(client, email=EMAIL)
    replace_component(monkeypatch, app, NOTIFIER, SmtpNotifier(SmtpSettings(
        host=HOST, port=closed_port(), security="none", sender="no-reply@id.example.gov")))
    add_passkey(client, SoftwareAuthenticator())
    assert client.get("/account").status_code == 200
    assert _pending(app) == {"pending": 1}
    assert get_worker(app).run_once() == {"retry": 1}
    assert person.citizen_id


def test_no_notice_for_a_change_that_was_rolled_back(client):
    """A recovery refused inside its transaction (another citizen is signed in to this browser,
    idp.sessions) spends no code, lowers nothing, and tells nobody."""
    from tests.idp.conftest import another_citizen

    app = client.application
    enrol(client)
    _, other = another_citizen(app)
    refused = client.post("/recover", data={"csrf_token": csrf(client, "/recover"),
                                            "national_id": other.national_id, "code": other.codes[0]})
    assert refused.status_code == 409
    assert _pending(app) == {}


def test_new_recovery_codes_are_told_to_the_citizen(client):
    """An impostor who got in (a stolen recovery code, then a passkey of their own) takes new
    recovery codes: the owner's codes stop working and the impostor's survive the owner
    deleting the impostor's passkey. The owner hears of it, as of the passkey added."""
    import re as regex

    app = client.application
    victim = enrol(client, email=EMAIL)
    impostor = app.test_client()
    impostor.post("/recover", data={"csrf_token": csrf(impostor, "/recover"),
                                    "national_id": victim.national_id, "code": victim.codes[0]})
    add_passkey(impostor, SoftwareAuthenticator())
    assert len(_messages(app)) == 2  # the recovery code used, the passkey added
    page = impostor.post("/account/recovery-codes",
                         data={"csrf_token": csrf(impostor, "/account/recovery-codes")})
    assert page.status_code == 200
    assert regex.findall(r"<li>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</li>", page.get_data(as_text=True))
    subjects = [subject for subject, _ in _messages(app)]
    assert len(subjects) == 3 and "códigos de recuperación nuevos" in subjects[0], subjects
    [body] = [body for subject, body in _messages(app) if "nuevos" in subject]
    assert "ya no sirven" in body and "Si no fue usted" in body


def test_the_first_codes_after_enrolment_tell_nobody(client):
    enrol(client, email=EMAIL)  # reads its codes on /account/recovery-codes
    assert _messages(client.application) == []


def test_a_blocked_passkey_accepted_again_is_told_to_the_citizen(client):
    """The owner's phone passkey was blocked as looking copied (its counter went back). Whoever
    holds the copy and another passkey of the account (one they added after a stolen recovery
    code) accepts it again: the copy signs in again. The owner hears of it."""
    from tests.idp.conftest import sign_in

    app = client.application
    phone = SoftwareAuthenticator(counter_step=1)
    enrol(client, phone, email=EMAIL)
    other = SoftwareAuthenticator()
    add_passkey(client, other)
    assert sign_in(app.test_client(), phone, sign_count=5).status_code == 200
    assert sign_in(app.test_client(), phone, sign_count=3).status_code != 200  # blocked now
    before = len(_messages(app))
    holder = app.test_client()
    assert sign_in(holder, other).status_code == 200
    trusted = holder.post(f"/account/passkeys/{phone.credential_id_b64}/trust",
                          data={"csrf_token": csrf(holder, "/account")})
    assert trusted.headers["Location"] == "/account?done=trusted"
    messages = _messages(app)
    assert len(messages) == before + 1, messages
    subject, body = messages[0]
    assert "vuelve a funcionar" in subject and "parecía copiada" in body and "Si no fue usted" in body
