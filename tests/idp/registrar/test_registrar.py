"""The registrar console: role and level checks, look-up, in-person verification, recovery
binding codes, and every action in the operator trail and the citizen's log."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.idp.assurance.conftest import (
    add_device_key,
    all_formats_listed,
    enrol_at_level_high,
    set_proofing,
)
from tests.idp.conftest import csrf, dui, enrol, post_json, sign_in
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.civil_register import in_register

FUTURE = (date.today() + timedelta(days=365)).isoformat()


def _grant(app, citizen_id: str, point: str = "Oficina Centro") -> None:
    from idp.registrar import services
    from infra.db import get_db

    with get_db(app).transaction() as session:
        from idp.citizens.models import Citizen

        citizen = session.get(Citizen, uuid.UUID(citizen_id))
        services.grant(session, citizen=citizen, service_point=point, operator="tester",
                       now=datetime.now(UTC))


@pytest.fixture
def registrar(client, oidc_app, pki, metadata):
    """A registrar signed in at level high (device-bound attested passkey, proofed in person)."""
    agent = enrol_at_level_high(client, oidc_app, pki, metadata, dui(11111111))
    _grant(oidc_app, agent.citizen_id)
    import_register(oidc_app)
    return agent


# What the civil register holds for the people the desk forms of these tests enrol or give a
# national ID back to: the desk refuses details the register does not hold (pages.register_refusal).
REGISTER = ("national_id,given_name,family_name,birthdate\n"
            f"{dui(11111111)},Ana María,López Pérez,1990-05-17\n"
            f"{dui(22222222)},Eva,Ruiz,1991-01-01\n"
            f"{dui(55555555)},Rosa,Martínez Soto,1955-03-02\n"
            f"{dui(4892613)},Ana María,López Pérez,1990-05-17\n")


# Eva's details as the register holds them: an account raised at the desk must hold them
# (views._document_action, desk14), as the holder typed them when enrolling.
EVA_DETAILS = {"given_name": "Eva", "family_name": "Ruiz", "birthdate": "1991-01-01"}


def import_register(app, text: str = REGISTER) -> None:
    from idp.citizens.national_id import load_scheme
    from idp.civil_register.imported import import_csv
    from infra.db import get_db

    with get_db(app).transaction() as session:
        import_csv(session, data=text.encode(), scheme=load_scheme("sv-dui"), now=datetime.now(UTC))


def _other_citizen(app, number: int = 22222222) -> tuple[str, str]:
    other = app.test_client()
    details = EVA_DETAILS if number == 22222222 else {}  # the register's details for Eva's number
    found = enrol(other, SoftwareAuthenticator(), national_id=dui(number), **details, email="eva@example.sv")
    return found.citizen_id, found.national_id


def desk_code(device, office: str | None = None) -> str:
    """The code the citizen, signed in on their own device, shows at the desk (of `office`; by
    default the first office the page offers, none when there is none yet)."""
    page = device.get("/account/desk-code").get_data(as_text=True)
    offered = re.findall(r"<option>([^<]+)</option>", page)
    chosen = office if office is not None else (offered[0] if offered else "")
    shown = device.post("/account/desk-code", data={"csrf_token": csrf(device, "/account/desk-code"),
                                                    "office": chosen})
    assert shown.status_code == 200
    return re.search(r'id="desk-code">([A-Z0-9-]+)<', shown.get_data(as_text=True)).group(1)


def _trail(app):
    from idp.registrar.models import RegistrarAuditEntry
    from infra.db import get_db

    with get_db(app).read() as session:
        return [(e.actor.split(":")[0], e.action, str(e.citizen_id) if e.citizen_id else None)
                for e in session.query(RegistrarAuditEntry).order_by(RegistrarAuditEntry.id)]


def _log(app, citizen_id):
    from idp.audit.models import AuditEntry
    from infra.db import get_db

    with get_db(app).read() as session:
        return [e.event for e in session.query(AuditEntry).filter_by(citizen_ref=citizen_id)
                .order_by(AuditEntry.id)]


def test_only_registrars_get_in(client, oidc_app):
    enrol(client)
    response = client.get("/registrar")
    assert response.status_code == 403
    assert "solo para el personal de las oficinas" in response.get_data(as_text=True)
    assert client.get("/registrar", headers={"Accept": "text/html"}).status_code == 403


def test_not_signed_in_goes_to_login(client, oidc_app):
    response = client.get("/registrar")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/registrar")


def test_registrar_below_high_steps_up_or_is_refused(client, oidc_app, pki, metadata):
    metadata(all_formats_listed(pki))
    synced = SoftwareAuthenticator(backup_eligible=True, counter_step=1)
    agent = enrol(client, synced)
    set_proofing(oidc_app, agent.citizen_id, "high")
    _grant(oidc_app, agent.citizen_id)
    response = client.get("/registrar")
    assert response.status_code == 403 and "nivel alto" in response.get_data(as_text=True)
    device = add_device_key(client, pki)
    assert sign_in(client, synced).status_code == 200
    response = client.get("/registrar")
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query == {"reauth": ["1"], "next": ["/registrar"], "acr": ["high"]}
    assert sign_in(client, device).status_code == 200
    assert client.get("/registrar").status_code == 200


def test_look_up_verify_in_person_and_logs(client, oidc_app, registrar):
    device = oidc_app.test_client()
    other = enrol(device, SoftwareAuthenticator(), national_id=dui(22222222), **EVA_DETAILS, email="eva@example.sv")
    other_id, other_number = other.citizen_id, other.national_id
    page = client.get("/registrar")
    assert page.status_code == 200 and "Oficina Centro" in page.get_data(as_text=True)
    token = csrf(client, "/registrar")
    bad = client.post("/registrar/lookup", data={"csrf_token": token, "national_id": "123"})
    assert bad.status_code == 400 and 'id="form-error"' in bad.get_data(as_text=True)
    missing = client.post("/registrar/lookup", data={"csrf_token": token, "national_id": dui(33333333)})
    assert missing.status_code == 404
    found = client.post("/registrar/lookup", data={"csrf_token": token,
                                                  "national_id": other_number.replace("-", "")})
    assert found.status_code == 303 and found.headers["Location"] == f"/registrar/citizens/{other_id}"
    page = client.get(found.headers["Location"]).get_data(as_text=True)
    assert 'id="proofing-level">bajo' in page
    expired = client.post(f"/registrar/citizens/{other_id}/verify", data={
        "csrf_token": token, "document_type": "passport", "document_number": "A1234567",
        "document_expiry": "2001-01-01"})
    assert expired.status_code == 400
    assert "El documento está vencido" in expired.get_data(as_text=True)
    wrong = client.post(f"/registrar/citizens/{other_id}/verify", data={
        "csrf_token": token, "document_type": "library_card", "document_number": "!",
        "document_expiry": ""})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and html.count('aria-invalid="true"') == 3
    done = client.post(f"/registrar/citizens/{other_id}/verify", data={
        "csrf_token": token, "document_type": "national_id_card", "document_number": "04892613-5",
        "document_expiry": FUTURE, "desk_code": desk_code(device)})
    assert done.status_code == 303 and done.headers["Location"].endswith("?done=verified")
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert 'id="proofing-level">alto' in page and "04892613-5" in page
    # Every opening of the citizen's page is logged (issue 12); the page shown again with a
    # form's errors is the same visit (a refused form changes nothing).
    assert _trail(oidc_app) == [
        ("operator", "role.granted", registrar.citizen_id),
        ("registrar", "citizen.not_found", None),
        ("registrar", "citizen.looked_up", other_id),
        ("registrar", "citizen.viewed", other_id),
        ("registrar", "identity.verified", other_id),
        ("registrar", "citizen.viewed", other_id),
    ]
    assert _log(oidc_app, other_id) == [
        "registrar.lookup", "registrar.viewed", "registrar.identity_verified", "registrar.viewed"]


def test_recovery_binding_code(client, oidc_app, registrar):
    other_id, _ = _other_citizen(oidc_app)
    token = csrf(client, "/registrar")
    response = client.post(f"/registrar/citizens/{other_id}/recovery", data={
        "csrf_token": token, "document_type": "passport", "document_number": "A1234567",
        "document_expiry": FUTURE})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    code = re.search(r'id="binding-code">([A-Z0-9-]+)<', html).group(1)
    assert 'src="data:image/svg+xml' in html and f"/bind?code={code}" in html
    assert _log(oidc_app, other_id) == ["registrar.identity_verified", "registrar.recovery_started"]

    device = oidc_app.test_client()  # the citizen's own phone
    page = device.get(f"/bind?code={code}").get_data(as_text=True)
    assert f'value="{code}"' in page
    bind_token = csrf(device, "/bind")
    wrong = device.post("/bind", data={"csrf_token": bind_token, "code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400 and "no es válido" in wrong.get_data(as_text=True)
    shown = device.post("/bind", data={"csrf_token": bind_token, "code": code.lower()})
    assert shown.status_code == 200  # whose account it is, before anything happens
    assert device.get("/account").status_code in (302, 303)
    ok = device.post("/bind/confirm", data={"csrf_token": bind_token, "code": code.lower()})
    assert ok.status_code == 303 and ok.headers["Location"] == "/account"
    options = post_json(device, "/webauthn/registration/options", {}).get_json()
    new_key = SoftwareAuthenticator()
    verified = post_json(device, "/webauthn/registration/verify", new_key.register(options))
    assert verified.status_code == 200
    again = oidc_app.test_client()
    assert again.post("/bind", data={"csrf_token": csrf(again, "/bind"), "code": code}).status_code == 400
    assert again.post("/bind/confirm", data={"csrf_token": csrf(again, "/bind"),
                                             "code": code}).status_code == 400


def test_a_lured_bind_names_the_account_and_the_session_it_ends(client, oidc_app, registrar):
    """Login CSRF through /bind: a page sends a signed-in victim to /bind?code=<the attacker's
    code>. Nothing is submitted for them; submitting shows whose account the code opens
    (masked name, partial national ID) and that their own session ends; only their
    confirmation (with its CSRF token) spends the code."""
    other_id, _ = _other_citizen(oidc_app)
    token = csrf(client, "/registrar")
    page = client.post(f"/registrar/citizens/{other_id}/recovery", data={
        "csrf_token": token, "document_type": "passport", "document_number": "A1234567",
        "document_expiry": FUTURE}).get_data(as_text=True)
    code = re.search(r'id="binding-code">([A-Z0-9-]+)<', page).group(1)

    victim = oidc_app.test_client()
    enrol(victim, SoftwareAuthenticator(), national_id=dui(33333333), email="bea@example.sv",
          given_name="Beatriz", family_name="Quintanilla")
    form = victim.get(f"/bind?code={code}").get_data(as_text=True)
    # Never submitted for the citizen: no inline script, no script of this page's own.
    assert not re.findall(r"<script(?![^>]*\bsrc=)", form)
    assert not [src for src in re.findall(r'<script[^>]*src="([^"]+)"', form) if "bind" in src]
    bind_token = csrf(victim, "/bind")
    shown = victim.post("/bind", data={"csrf_token": bind_token, "code": code},
                        headers={"Accept-Language": "en"})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="bind-confirm-form"' in html
    from idp.citizens.models import Citizen
    from idp.registrar.binding import mask_name, partial_id
    from infra.db import get_db

    with get_db(oidc_app).read() as db:
        other = db.get(Citizen, uuid.UUID(str(other_id)))
        name, national_id = other.full_name, other.national_id
    assert mask_name(name) in html and partial_id(national_id) in html
    assert name not in html and national_id not in html
    assert "B••• Q•••" in html and "will end" in html  # the victim's own session
    assert 'name="csrf_token"' in html and f'value="{code}"' in html
    assert victim.get("/account").status_code == 200  # still the victim, code not spent
    assert victim.post("/bind/confirm", data={"code": code}).status_code == 400  # CSRF kept
    assert victim.get("/account").status_code == 200
    done = victim.post("/bind/confirm", data={"csrf_token": bind_token, "code": code})
    assert done.status_code == 303 and done.headers["Location"] == "/account"


def test_cli_grant_revoke_list(oidc_app, client):
    from click.testing import CliRunner

    from idp.cli import Context, cli

    citizen = enrol(client)
    in_register(oidc_app, citizen.citizen_id)  # `registrar verify` checks the register (impostor13)
    code = desk_code(client)
    context = Context(app=oidc_app)
    runner = CliRunner()
    result = runner.invoke(cli, ["registrar", "grant", citizen.national_id, "--service-point",
                                 "Oficina Norte"], obj=context)
    assert result.exit_code == 0, result.output
    assert "Ana María López Pérez is a registrar of Oficina Norte" in result.output
    result = runner.invoke(cli, ["registrar", "list"], obj=context)
    assert "Oficina Norte\t" + citizen.national_id in result.output
    result = runner.invoke(cli, ["registrar", "revoke", citizen.national_id], obj=context)
    assert result.exit_code == 0 and "is no longer a registrar" in result.output
    result = runner.invoke(cli, ["registrar", "revoke", citizen.national_id], obj=context)
    assert result.exit_code == 1 and "this citizen is not a registrar" in result.output
    result = runner.invoke(cli, ["registrar", "grant", dui(99999999), "--service-point", "X"], obj=context)
    assert result.exit_code == 1 and "no citizen is enrolled with this national ID" in result.output
    result = runner.invoke(cli, ["registrar", "verify", citizen.national_id, "--document-type",
                                 "passport", "--document-number", "P123456", "--document-expiry",
                                 "2001-01-01", "--desk-code", code], obj=context)
    assert result.exit_code == 1 and "wrong document fields: document_expiry" in result.output
    result = runner.invoke(cli, ["registrar", "verify", citizen.national_id, "--document-type",
                                 "passport", "--document-number", "P123456", "--document-expiry",
                                 FUTURE, "--desk-code", "ABCD-EFGH"], obj=context)
    assert result.exit_code == 1 and "did not confirm with a passkey of this account" in result.output
    result = runner.invoke(cli, ["registrar", "verify", citizen.national_id, "--document-type",
                                 "passport", "--document-number", "P123456", "--document-expiry",
                                 FUTURE, "--desk-code", code], obj=context)
    assert result.exit_code == 0 and "identity verified in person (level high)" in result.output
    assert [a for _, a, _ in _trail(oidc_app)] == ["role.granted", "role.revoked", "identity.verified"]
    assert _log(oidc_app, citizen.citizen_id) == ["registrar.identity_verified"]


def test_every_opening_of_a_citizens_page_is_logged(client, oidc_app, registrar):
    """Issue 12: not only look-ups by national ID; also a page opened from a link, a
    bookmark or the browser's history, each time."""
    other_id, _ = _other_citizen(oidc_app)
    for _ in range(2):
        assert client.get(f"/registrar/citizens/{other_id}").status_code == 200
    assert _trail(oidc_app)[1:] == [("registrar", "citizen.viewed", other_id)] * 2
    assert _log(oidc_app, other_id) == ["registrar.viewed", "registrar.viewed"]
    from idp.audit.models import AuditEntry
    from infra.db import get_db

    with get_db(oidc_app).read() as session:
        entry = session.query(AuditEntry).filter_by(citizen_ref=other_id).first()
        assert entry.purpose == "citizen.viewed (Oficina Centro)"
    assert _log(oidc_app, registrar.citizen_id) == []  # nothing about the registrar's own


def test_the_citizen_reads_in_their_log_who_opened_their_record(client, oidc_app, registrar):
    citizen = oidc_app.test_client()
    other = enrol(citizen, SoftwareAuthenticator(), national_id=dui(22222222),
                  email="eva@example.sv")
    client.get(f"/registrar/citizens/{other.citizen_id}")
    page = citizen.get("/account/log", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-event="registrar_viewed"' in page
    assert "A service office opened your record" in page and "Oficina Centro" in page


def _own_refused(response) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 403, html[:300]
    assert "No puede consultar, verificar ni recuperar su propio registro" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_a_registrar_cannot_act_on_their_own_record(client, oidc_app, registrar):
    from idp.assurance.services import proofing_of
    from infra.db import get_db

    token = csrf(client, "/registrar")
    own = registrar.citizen_id
    _own_refused(client.post("/registrar/lookup", data={"csrf_token": token,
                                                       "national_id": registrar.national_id}))
    _own_refused(client.get(f"/registrar/citizens/{own}"))
    document = {"csrf_token": token, "document_type": "passport", "document_number": "A1234567",
                "document_expiry": FUTURE}
    _own_refused(client.post(f"/registrar/citizens/{own}/verify", data=document))
    recovery = client.post(f"/registrar/citizens/{own}/recovery", data=document)
    _own_refused(recovery)
    assert "binding-code" not in recovery.get_data(as_text=True)
    api = client.get(f"/registrar/citizens/{own}", headers={"Accept": "application/json"})
    assert api.status_code == 403 and api.get_json()["error"] == "own_record"
    assert api.get_json()["error_description"].startswith("No puede consultar")

    assert _trail(oidc_app)[1:] == [("registrar", "own_record.refused", own)] * 5
    from idp.registrar.models import RegistrarAuditEntry

    with get_db(oidc_app).read() as session:
        attempted = [e.details["attempted"] for e in session.query(RegistrarAuditEntry)
                     .filter_by(action="own_record.refused").order_by(RegistrarAuditEntry.id)]
        assert attempted == ["look_up", "open", "verify", "recovery", "open"]
        assert proofing_of(session, own) == ("high", "in_person")  # set by the fixture only
    assert _log(oidc_app, own) == []


def test_the_services_refuse_a_registrars_own_record_too(oidc_app, registrar):
    """Defence in depth: whatever calls the services (a page, a future API) is refused."""
    from idp.registrar import services
    from idp.registrar.documents import DocumentCheck
    from idp.registrar.errors import OwnRecord
    from infra.db import get_db

    own = uuid.UUID(registrar.citizen_id)
    with get_db(oidc_app).read() as session:
        actor = services.acting_registrar(session, own)
    now = datetime.now(UTC)
    check = DocumentCheck(document_type="passport", number="A1234567",
                          expiry=date.today() + timedelta(days=30))
    with get_db(oidc_app).read() as session:
        with pytest.raises(OwnRecord, match="cannot open their own record"):
            services.open_record(session, actor=actor, citizen_id=own, now=now)
        with pytest.raises(OwnRecord, match="cannot verify their own record"):
            services.verify_in_person(session, actor=actor, citizen_id=own, document=check,
                                      holder=None, now=now)
