"""Reclaiming a squatted identity (issue #12, reproduction 2): an impostor who enrolled the
victim's national ID first is frozen when the real holder proves possession of a register
channel; the real holder gets the ID and the `national_id` claim back; the impostor can no
longer sign in and every agency is told."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from idp.assurance.models import PossessionCode
from infra.db import get_db
from infra.notify import get_outbox
from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import csrf, dui, enrol, fields, post_json, registration_options, sign_in
from tests.idp.logout.conftest import agencies, receiver, worker  # noqa: F401 - fixtures
from tests.idp.oidc.conftest import bearer, claims_of, oidc_app, register, tokens_for  # noqa: F401 - fixtures
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.error_summary import assert_error_summary

REGISTER = ("national_id,given_name,family_name,birthdate,email,phone,postal_address\n"
            f"{dui(4892613)},Ana María,López Pérez,1990-05-17,ana.registro@correo.example,"
            '+50370000001,"Calle El Mirador 12\nSan Salvador"\n')
REAL_EMAIL = "ana.real@example.sv"


def _import(app) -> None:
    from datetime import UTC, datetime

    from idp.citizens.national_id import load_scheme
    from idp.civil_register.imported import import_csv

    with get_db(app).transaction() as session:
        import_csv(session, data=REGISTER.encode(), scheme=load_scheme("sv-dui"), now=datetime.now(UTC))


def _national_id_agency(register, receiver):  # noqa: F811
    return register(client_name="Hacienda", scope="openid profile national_id",
                    redirect_uris=["https://hacienda.example.gov/cb"],
                    backchannel_logout_uri=receiver.uri("a"),
                    backchannel_logout_session_required=True,
                    security_profile="oidc")  # an operator's exception to FAPI 2.0 (test_fapi)


def _code(app) -> str:
    [message, *_] = get_outbox(app).messages(addresses=["ana.registro@correo.example"])
    return re.search(r"(\d{4} \d{4})", message.body).group(1)


def _claim(browser, **overrides):
    data = {"csrf_token": csrf(browser, "/reclaim"), **fields(email=REAL_EMAIL), **overrides}
    return browser.post("/reclaim", data=data)


def _send(browser, channel: str = "email"):
    return browser.post("/reclaim/code", data={"csrf_token": csrf(browser, "/reclaim/code"),
                                               "channel": channel})


def _enter(browser, code: str):
    return browser.post("/reclaim/verify", data={"csrf_token": csrf(browser, "/reclaim/code"),
                                                 "code": code})


def test_the_squatter_is_frozen_and_the_real_holder_gets_the_id_back(
        oidc_app, register, receiver, worker):  # noqa: F811
    from idp.audit.models import AuditEntry
    from idp.citizens.models import Citizen, Passkey
    from idp.registrar.models import RegistrarAuditEntry

    app = oidc_app
    _import(app)
    agency = _national_id_agency(register, receiver)
    # The impostor enrols first with what is printed on Ana's ID card, and an agency that
    # asks for the national ID receives it under the impostor's passkey.
    squatter = app.test_client()
    impostor = enrol(squatter)
    squatter_tokens = tokens_for(squatter, agency, scope="openid national_id")
    assert squatter.get("/userinfo", headers=bearer(squatter_tokens["access_token"])
                        ).get_json()["national_id"] == dui(4892613)

    # The real Ana is refused at enrolment, and offered the way to reclaim her number.
    holder = app.test_client()
    refused = post_json(holder, "/webauthn/registration/options", fields(email=REAL_EMAIL))
    assert refused.status_code == 400 and refused.get_json()["error"] == "enrolment_refused"
    assert "recupérelo con el botón «Recuperar mi número de identidad»" in refused.get_json()["error_description"]
    assert 'formaction="/reclaim"' in holder.get("/enrol").get_data(as_text=True)

    response = _claim(holder)
    assert response.status_code == 303 and response.headers["Location"] == "/reclaim/code"
    page = holder.get("/reclaim/code").get_data(as_text=True)
    assert "a•••@correo.example" in page and "ana.registro@correo.example" not in page
    assert _send(holder).headers["Location"] == "/reclaim/code?code=sent#code-entry"
    done = _enter(holder, _code(app))
    assert done.status_code == 200
    assert "La otra cuenta que usaba su número quedó bloqueada" in done.get_data(as_text=True)

    with get_db(app).read() as session:
        frozen = session.get(Citizen, uuid.UUID(impostor.citizen_id))
        holder_row = session.scalar(sa.select(Citizen).where(Citizen.national_id == dui(4892613)))
        assert frozen.national_id.startswith("frozen:") and frozen.given_name == "Ana María"
        assert session.scalar(sa.select(sa.func.count()).select_from(Passkey)
                              .where(Passkey.citizen_id == frozen.id)) == 0
        assert holder_row.id != frozen.id and holder_row.email == REAL_EMAIL
        trail = {(e.action, e.citizen_id) for e in session.scalars(sa.select(RegistrarAuditEntry))}
        log = {(e.event, e.citizen_ref) for e in session.scalars(sa.select(AuditEntry))}
    assert ("identity.frozen", frozen.id) in trail and ("identity.reclaimed", holder_row.id) in trail
    assert ("identity.frozen", str(frozen.id)) in log
    assert ("identity.reclaimed", str(holder_row.id)) in log
    assert ("consent.revoked", str(frozen.id)) in log
    assert proofing(app, str(holder_row.id)) == ("substantial", "register_channel")
    assert proofing(app, impostor.citizen_id) == ("low", "self_asserted")

    # The impostor: tokens dead, session ended, passkey refused, agency told.
    assert squatter.get("/userinfo", headers=bearer(squatter_tokens["access_token"])).status_code == 401
    assert squatter.get("/account").status_code in (302, 303)
    assert sign_in(app.test_client(), impostor.key).status_code != 200
    worker.run_once()
    [logout_token] = receiver.tokens("a")
    assert claims_of(logout_token)["sub"] == claims_of(squatter_tokens["id_token"])["sub"]

    # The real holder creates her passkey in the short session and gets her national ID.
    assert "recovery-notice" in holder.get("/account").get_data(as_text=True)
    key = SoftwareAuthenticator()
    added = post_json(holder, "/webauthn/registration/verify", key.register(registration_options(holder, {})))
    assert added.status_code == 200, added.get_json()
    mine = tokens_for(holder, agency, scope="openid national_id")
    assert holder.get("/userinfo", headers=bearer(mine["access_token"])).get_json()["national_id"] == \
        dui(4892613)
    assert claims_of(mine["id_token"])["sub"] != claims_of(squatter_tokens["id_token"])["sub"]
    assert sign_in(app.test_client(), key).status_code == 200


def test_a_nobody_holds_it_reclaim_is_an_enrolment_at_substantial(client, fresh_app):
    _import(fresh_app)
    _claim(client)
    _send(client)
    done = _enter(client, _code(fresh_app))
    assert "Su número de identidad ya está en su nueva cuenta" in done.get_data(as_text=True)
    from idp.citizens.models import Citizen

    with get_db(fresh_app).read() as session:
        citizen = session.scalar(sa.select(Citizen).where(Citizen.national_id == dui(4892613)))
    assert proofing(fresh_app, str(citizen.id)) == ("substantial", "register_channel")


def test_the_answer_does_not_say_whether_the_id_is_enrolled(fresh_app):
    _import(fresh_app)
    first = fresh_app.test_client()
    before = _claim(first, given_name="Eva")  # nobody enrolled yet; details do not match
    enrol(fresh_app.test_client())
    after = _claim(fresh_app.test_client(), given_name="Eva")  # enrolled now; same mismatch
    assert before.status_code == after.status_code == 400

    def text(r):
        return re.sub(r'name="csrf_token" value="[^"]+"', "", r.get_data(as_text=True))

    assert text(before) == text(after)
    assert "no coinciden con el registro civil" in text(after)


def test_a_code_cannot_take_an_id_from_a_verified_holder(fresh_app):
    from tests.idp.assurance.conftest import set_proofing

    _import(fresh_app)
    owner = enrol(fresh_app.test_client())
    set_proofing(fresh_app, owner.citizen_id, "substantial")  # proved the register channel
    claimant = fresh_app.test_client()
    _claim(claimant)
    _send(claimant)
    refused = _enter(claimant, _code(fresh_app))
    assert refused.status_code == 409
    assert "Acuda a una oficina de atención" in refused.get_data(as_text=True)
    assert proofing(fresh_app, owner.citizen_id) == ("substantial", "register_channel")
    assert sign_in(fresh_app.test_client(), owner.key).status_code == 200


def test_wrong_and_reused_codes_and_brute_force(fresh_app):
    _import(fresh_app)
    squatter = enrol(fresh_app.test_client())
    claimant = fresh_app.test_client()
    _claim(claimant)
    _send(claimant)
    code = _code(fresh_app).replace(" ", "")
    wrong = f"{(int(code) + 1) % 10 ** 8:08d}"
    assert _enter(claimant, wrong).headers["Location"] == "/reclaim/code?code=wrong#form-error"
    page = claimant.get("/reclaim/code?code=wrong").get_data(as_text=True)
    assert_error_summary(page, target="code")
    assert 'aria-invalid="true"' in page
    for _ in range(4):
        _enter(claimant, wrong)
    limited = _enter(claimant, code)  # five wrong entries: the right code waits out the window
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) <= 901
    assert_error_summary(limited.get_data(as_text=True), target=None)
    assert sign_in(fresh_app.test_client(), squatter.key).status_code == 200  # nothing moved
    with get_db(fresh_app).read() as session:
        [row] = session.scalars(sa.select(PossessionCode)).all()
    assert row.failed_attempts == 5 and row.used_at is None


def test_a_used_code_and_a_spent_claim(fresh_app):
    _import(fresh_app)
    claimant = fresh_app.test_client()
    _claim(claimant)
    cookie = claimant.get_cookie("cedula_reclaim", path="/reclaim").value
    _send(claimant)
    code = _code(fresh_app)
    assert _enter(claimant, code).status_code == 200
    replay = fresh_app.test_client()  # the same claim cookie and code, again
    replay.set_cookie("cedula_reclaim", cookie, path="/reclaim")
    token = csrf(replay, "/reclaim")
    response = replay.post("/reclaim/verify", data={"csrf_token": token, "code": code})
    assert response.headers["Location"] == "/reclaim"  # the claim is spent


def test_no_claim_no_code(client, fresh_app):
    assert client.get("/reclaim/code").headers["Location"] == "/reclaim"
    token = csrf(client, "/reclaim")
    assert client.post("/reclaim/code", data={"csrf_token": token, "channel": "email"}
                       ).headers["Location"] == "/reclaim"
    assert get_outbox(fresh_app).messages() == []



def _reclaim_kwargs(app):
    from idp.assurance.reclaim import reclaim  # noqa: F401
    from idp.citizens.enrolment import EnrolmentData
    from idp.consent import get_consents
    from idp.registrar.services import Actor
    from keys import get_service

    with app.app_context():
        from idp import audit

        audit.prepare()
    consents = get_consents(app)
    data = EnrolmentData.from_json({**fields(email=REAL_EMAIL), "national_id_scheme": "sv-dui"})
    return dict(data=data, method="register_channel", source="imported", detail="email",
                actor=Actor(name="citizen:reclaim"), policy=consents.policy, sign=consents.sign,
                grants=consents.grants, key_service=get_service(app),
                key=b"k" * 32, language="es")


def test_a_second_claim_on_a_reclaimed_id_is_refused(fresh_app):
    from datetime import UTC, datetime

    import pytest

    from idp.assurance.reclaim import ReclaimRefused, reclaim

    kwargs = _reclaim_kwargs(fresh_app)
    with get_db(fresh_app).transaction() as first:
        reclaim(first, now=datetime.now(UTC), **kwargs)
    with get_db(fresh_app).transaction() as second, pytest.raises(ReclaimRefused) as info:
        reclaim(second, now=datetime.now(UTC), **kwargs)  # the holder is proofed substantial now
    assert info.value.reason == "holder_verified"


def test_two_claims_racing_for_a_free_id_one_wins(fresh_app, backend):
    """Both proved the code and neither saw a holder: the second waits on the unique national
    ID and is refused when the first commits (never an IntegrityError, never a 500)."""
    import threading
    from datetime import UTC, datetime

    import pytest

    from idp.assurance.reclaim import ReclaimRefused, reclaim

    if backend.name != "production":
        pytest.skip("SQLite has one writer at a time: the second claim waits for the first")
    kwargs = _reclaim_kwargs(fresh_app)
    outcome: list[object] = []

    def second() -> None:
        try:
            with get_db(fresh_app).transaction() as session:
                reclaim(session, now=datetime.now(UTC), **kwargs)
            outcome.append("reclaimed")
        except ReclaimRefused as exc:
            outcome.append(exc.reason)

    with get_db(fresh_app).transaction() as first:
        reclaim(first, now=datetime.now(UTC), **kwargs)
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(1.0)  # it blocks on the unique index until this transaction ends
    racer.join(30)
    assert outcome == ["holder_verified"]


def test_a_reclaim_in_a_browser_where_another_citizen_is_signed_in_moves_nothing(client, fresh_app):
    """One browser, one citizen (idp.sessions): the reclaim would sign its claimant in over
    the session of someone else; it is refused (409) inside its transaction, so no account is
    made and the signed-in citizen stays signed in."""
    from idp.citizens.models import Citizen

    _import(fresh_app)
    enrol(client, national_id=dui(12345678), email="otro@example.sv")
    _claim(client)
    _send(client)
    refused = _enter(client, _code(fresh_app))
    assert refused.status_code == 409 and "cierre la sesión" in refused.get_data(as_text=True)
    with get_db(fresh_app).read() as session:
        assert session.scalar(sa.select(Citizen).where(Citizen.national_id == dui(4892613))) is None
    assert client.get("/account/details").status_code == 200
