"""Proof of possession: substantial needs a one-time code sent to a contact the civil register
holds for the person (issue #12). Wrong, expired and reused codes; brute force limited per
claimant and per national ID without locking the real holder out for long; a mail server that
refuses or hangs gives a page that says what to do (503), never a 500."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from idp.assurance.models import PossessionCode
from idp.assurance.possession import (
    CodeLimits,
    TooManyAttempts,
    issue_code,
    verify_code,
)
from idp.civil_register.base import Contact
from infra.db import get_db
from infra.notify import NOTIFIER, SmtpNotifier, SmtpSettings, get_outbox
from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import csrf, dui, enrol
from tests.support.components import replace_component
from tests.support.error_summary import assert_error_summary
from tests.support.smtp import HOST, closed_port, silent_server

REGISTER_EMAIL = "ana.registro@correo.example"
REGISTER = ("national_id,given_name,family_name,birthdate,email,phone,postal_address\n"
            f"{dui(4892613)},Ana María,López Pérez,1990-05-17,{REGISTER_EMAIL},"
            '+50370000001,"Calle El Mirador 12\nSan Salvador"\n')
KEY = b"k" * 32
NID = ("sv-dui", dui(4892613))


def _import(app, text: str = REGISTER) -> None:
    from idp.citizens.national_id import load_scheme
    from idp.civil_register.imported import import_csv

    with get_db(app).transaction() as session:
        import_csv(session, data=text.encode(), scheme=load_scheme("sv-dui"), now=datetime.now(UTC))


def _code_from_outbox(app, address: str) -> str:
    [message, *_] = get_outbox(app).messages(addresses=[address])
    return re.search(r"(\d{4} \d{4})", message.body).group(1)


@pytest.fixture
def matched(client, fresh_app):
    """Ana, enrolled with the details the register holds (so: a register match, level low)."""
    _import(fresh_app)
    citizen = enrol(client)
    assert proofing(fresh_app, citizen.citizen_id) == ("low", "register_match")
    return citizen


def _request(client, channel: str = "email"):
    return client.post("/account/assurance/code",
                       data={"csrf_token": csrf(client, "/account/assurance"), "channel": channel})


def _enter(client, code: str):
    return client.post("/account/assurance/code/verify",
                       data={"csrf_token": csrf(client, "/account/assurance"), "code": code})


def assert_register_code_needs_reauth(app, client, citizen_id: str) -> None:
    """A session that must sign in again first cannot take a register code: asking for one sends
    it to re-authenticate and sends no code, entering one does too, and the proofing stays low."""
    asked = _request(client)
    assert asked.status_code == 303
    assert asked.headers["Location"] == "/account/reauth?next=/account/assurance"
    assert get_outbox(app).messages(addresses=[REGISTER_EMAIL]) == []
    entered = _enter(client, "1234 5678")
    assert entered.status_code == 303 and entered.headers["Location"].startswith("/account/reauth?")
    assert proofing(app, citizen_id)[0] == "low"


def test_the_code_sent_to_the_register_contact_makes_it_substantial(client, fresh_app, matched):
    page = client.get("/account/assurance").get_data(as_text=True)
    assert "a•••@correo.example" in page and "•••••••• 01" in page and "… San Salvador" in page
    response = _request(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/assurance?code=sent#code-entry"
    # The code goes to the register's contact of record, never to the address typed at enrolment.
    assert get_outbox(fresh_app).messages(addresses=["ana@example.sv"]) == []
    [message] = get_outbox(fresh_app).messages(addresses=["ana.registro@correo.example"])
    assert message.channel == "email" and message.language == "es"
    assert "15 minutos" in message.body
    page = client.get("/account/assurance?code=sent").get_data(as_text=True)
    assert 'id="code-entry"' in page and "Correo a•••@correo.example" in page
    code = _code_from_outbox(fresh_app, "ana.registro@correo.example")
    response = _enter(client, code)
    assert response.headers["Location"] == "/account/assurance?code=verified"
    assert proofing(fresh_app, matched.citizen_id) == ("substantial", "register_channel")
    page = client.get("/account/assurance?code=verified").get_data(as_text=True)
    assert "Recibió el código enviado a un contacto del registro civil: Correo a•••@correo.example" in page
    assert 'id="code-entry"' not in page and 'id="code-request"' not in page


def test_codes_are_kept_hashed(client, fresh_app, matched):
    _request(client)
    code = _code_from_outbox(fresh_app, "ana.registro@correo.example").replace(" ", "")
    with get_db(fresh_app).read() as session:
        [row] = session.scalars(sa.select(PossessionCode)).all()
    assert len(row.code_hash) == 32 and code.encode() not in row.code_hash
    assert code not in repr(row.__dict__)


def test_a_wrong_code_leaves_it_low(client, fresh_app, matched):
    _request(client)
    code = _code_from_outbox(fresh_app, "ana.registro@correo.example")
    wrong = f"{(int(code.replace(' ', '')) + 1) % 10 ** 8:08d}"
    assert _enter(client, wrong).headers["Location"] == "/account/assurance?code=wrong#form-error"
    assert _enter(client, "not a code").headers["Location"] == "/account/assurance?code=wrong#form-error"
    assert proofing(fresh_app, matched.citizen_id) == ("low", "register_match")
    page = client.get("/account/assurance?code=wrong").get_data(as_text=True)
    assert "Ese código no es correcto" in page
    # The GOV.UK error summary, linked to the field, and "Error:" before the page title.
    assert_error_summary(page, target="code")
    assert 'aria-invalid="true"' in page and 'id="code-outcome"' not in page



def test_entering_before_asking(client, fresh_app, matched):
    assert _enter(client, "12345678").headers["Location"] == "/account/assurance?code=none#form-error"


def test_a_letter_goes_to_the_outbox_to_print_and_post(client, fresh_app, matched):
    _request(client, "postal")
    [letter] = get_outbox(fresh_app).messages(channel="postal")
    assert letter.address == "Calle El Mirador 12\nSan Salvador" and letter.action == "post"
    assert "14 días" in letter.body
    with get_db(fresh_app).read() as session:
        row = session.scalars(sa.select(PossessionCode)).one()
    assert timedelta(days=13) < row.expires_at - row.created_at <= timedelta(days=14)


def test_a_channel_the_register_does_not_hold(client, fresh_app):
    _import(fresh_app, REGISTER.replace("ana.registro@correo.example", ""))
    enrol(client)
    assert _request(client, "email").headers["Location"] == "/account/assurance?code=no_channel"
    assert _request(client, "fax").headers["Location"] == "/account/assurance?code=no_channel"
    assert get_outbox(fresh_app).messages() == []
    # The summary points at the contacts the register does hold.
    assert_error_summary(client.get("/account/assurance?code=no_channel").get_data(as_text=True),
                         target="channel-phone")


def test_no_code_without_a_register_match(client, fresh_app):
    _import(fresh_app)
    enrol(client, given_name="Eva")  # the names differ from the register's
    assert _request(client).headers["Location"] == "/account/assurance?register=mismatch"
    assert get_outbox(fresh_app).messages() == []


def test_a_refused_mail_server_is_a_page_that_says_what_to_do(client, fresh_app, matched,
                                                              monkeypatch):
    replace_component(monkeypatch, fresh_app, NOTIFIER, SmtpNotifier(SmtpSettings(
        host=HOST, port=closed_port(), security="none", sender="no-reply@id.example.gov",
        retry_after_seconds=120)))
    response = _request(client)
    assert response.status_code == 503 and response.headers["Retry-After"] == "120"
    assert "No pudimos enviar el código ahora. Inténtelo de nuevo en 2 minutos" in \
        response.get_data(as_text=True)
    with get_db(fresh_app).read() as session:  # the undelivered code is withdrawn
        assert session.scalars(sa.select(PossessionCode)).all() == []


def test_a_hanging_mail_server_times_out_into_the_same_page(client, fresh_app, matched,
                                                            monkeypatch):
    with silent_server() as port:
        replace_component(monkeypatch, fresh_app, NOTIFIER, SmtpNotifier(SmtpSettings(
            host=HOST, port=port, security="none", sender="no-reply@id.example.gov",
            timeout_seconds=0.5)))
        response = _request(client)
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"


def test_too_many_codes_sent(client, fresh_app, matched):
    for _ in range(3):
        assert _request(client).status_code == 303
    response = _request(client)
    assert response.status_code == 429 and 0 < int(response.headers["Retry-After"]) <= 901
    assert "Hubo demasiados intentos. Espere 15 minutos" in response.get_data(as_text=True)
    assert_error_summary(response.get_data(as_text=True), target=None)


def test_brute_force_through_the_page_is_stopped(client, fresh_app, matched):
    _request(client)
    code = _code_from_outbox(fresh_app, "ana.registro@correo.example")
    for guess in range(5):
        _enter(client, f"{guess:08d}" if f"{guess:08d}" != code.replace(" ", "") else "99999999")
    response = _enter(client, code)  # even the right code: the claimant must wait
    assert response.status_code == 429
    assert proofing(fresh_app, matched.citizen_id) == ("low", "register_match")


# The service, with the clock in hand.

LIMITS = CodeLimits(code_seconds=900, postal_code_seconds=86400, code_attempts=5, code_sends=3,
                    national_id_attempts=10, window_seconds=900, national_id_daily_sends=12)
EMAIL = Contact("email", "ana.registro@correo.example")


def _issue(session, claimant: str, now: datetime, purpose: str = "reclaim"):
    return issue_code(session, key=KEY, limits=LIMITS, purpose=purpose, claimant=claimant,
                      national_id_scheme=NID[0], national_id=NID[1], contact=EMAIL,
                      source="imported", now=now)


def _verify(session, claimant: str, entered: str, now: datetime, purpose: str = "reclaim"):
    return verify_code(session, key=KEY, limits=LIMITS, purpose=purpose, claimant=claimant,
                       national_id_scheme=NID[0], national_id=NID[1], entered=entered, now=now)


def test_a_code_works_once(fresh_app):
    now = datetime.now(UTC)
    with get_db(fresh_app).transaction() as session:
        issued = _issue(session, "c1", now)
    with get_db(fresh_app).transaction() as session:
        assert _verify(session, "c1", issued.code, now).accepted is not None
    with get_db(fresh_app).transaction() as session:
        check = _verify(session, "c1", issued.code, now)
    assert check.accepted is None and check.refused.reason == "used"


def test_a_code_of_another_claimant_does_not_work(fresh_app):
    now = datetime.now(UTC)
    with get_db(fresh_app).transaction() as session:
        issued = _issue(session, "c1", now)
        _issue(session, "c2", now)
    with get_db(fresh_app).transaction() as session:
        assert _verify(session, "c2", issued.code, now).refused.reason == "wrong"


def test_an_expired_code(fresh_app):
    now = datetime.now(UTC)
    with get_db(fresh_app).transaction() as session:
        issued = _issue(session, "c1", now)
    with get_db(fresh_app).transaction() as session:
        check = _verify(session, "c1", issued.code, now + timedelta(seconds=901))
    assert check.refused.reason == "expired"


def test_a_code_dies_after_too_many_wrong_entries(fresh_app):
    now = datetime.now(UTC)
    limits = LIMITS
    with get_db(fresh_app).transaction() as session:
        issued = _issue(session, "c1", now)
    wrong = f"{(int(issued.code) + 1) % 10 ** 8:08d}"
    for step in range(limits.code_attempts):
        # a new claimant window each time, so only the code's own counter is at work
        later = now + timedelta(seconds=step)
        with get_db(fresh_app).transaction() as session:
            assert _verify(session, "c1", wrong, later).refused.reason == "wrong"
    with get_db(fresh_app).transaction() as session, pytest.raises(TooManyAttempts):
        _verify(session, "c1", issued.code, now + timedelta(seconds=10))
    with get_db(fresh_app).transaction() as session:  # after the window: the code is dead
        check = _verify(session, "c1", issued.code, now + timedelta(seconds=901))
    assert check.refused.reason == "expired"


def test_guessing_from_many_claimants_is_limited_per_national_id(fresh_app):
    """An attacker spreading guesses over many claimants (browsers) meets the per-national-ID
    limit; the real holder gets through again once the short window has passed."""
    now = datetime.now(UTC)
    with get_db(fresh_app).transaction() as session:
        for n in range(5):
            _issue(session, f"attacker-{n}", now)
    for n in range(10):
        with get_db(fresh_app).transaction() as session:
            assert _verify(session, f"attacker-{n % 5}", f"{n:08d}", now).refused.reason == "wrong"
    with get_db(fresh_app).transaction() as session, pytest.raises(TooManyAttempts) as info:
        _issue(session, "real-holder", now + timedelta(seconds=1))
    assert 0 < info.value.retry_after <= 901
    later = now + timedelta(seconds=901)
    with get_db(fresh_app).transaction() as session:
        issued = _issue(session, "real-holder", later)
    with get_db(fresh_app).transaction() as session:
        assert _verify(session, "real-holder", issued.code, later).accepted is not None


def test_codes_sent_per_national_id_are_limited(fresh_app):
    now = datetime.now(UTC)
    with get_db(fresh_app).transaction() as session:
        for n in range(10):
            _issue(session, f"claimant-{n}", now)
        with pytest.raises(TooManyAttempts) as info:
            _issue(session, "claimant-10", now)
    assert "10 codes were sent for this national ID" in str(info.value)


def test_codes_sent_per_national_id_in_a_day_are_limited(fresh_app):
    """Nobody floods the person's mailbox: past the daily number, no code for anyone, even
    after the short window."""
    now = datetime.now(UTC)
    with get_db(fresh_app).transaction() as session:
        for n in range(12):
            _issue(session, f"claimant-{n}", now + timedelta(hours=n))
        with pytest.raises(TooManyAttempts) as info:
            _issue(session, "claimant-12", now + timedelta(hours=12))
    assert str(info.value) == "12 codes were sent for this national ID in the last day"
    assert 12 * 3600 - 60 < info.value.retry_after <= 12 * 3600 + 1
    with get_db(fresh_app).transaction() as session:
        _issue(session, "claimant-13", now + timedelta(hours=24, seconds=1))


def test_issue_refuses_unknown_purposes(fresh_app):
    with get_db(fresh_app).transaction() as session, pytest.raises(ValueError):
        issue_code(session, key=KEY, limits=LIMITS, purpose="other", claimant=str(uuid.uuid4()),
                   national_id_scheme=NID[0], national_id=NID[1], contact=EMAIL, source="x",
                   now=datetime.now(UTC))


def test_a_session_whose_account_is_gone_is_sent_to_sign_in(client, fresh_app, matched):
    from idp.citizens.models import Citizen

    token = csrf(client, "/account/assurance")
    with get_db(fresh_app).transaction() as session:
        session.execute(sa.delete(Citizen).where(Citizen.id == uuid.UUID(matched.citizen_id)))
    for response in (client.get("/account/assurance"),
                     client.post("/account/assurance/code", data={"csrf_token": token, "channel": "email"}),
                     client.post("/account/assurance/code/verify", data={"csrf_token": token, "code": "1"})):
        assert response.status_code == 303 and response.headers["Location"] == "/login"
