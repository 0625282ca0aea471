"""The operator console at level high: agencies, indicators, people, audit trail, keys.
Every action goes through the registry's services and into the operator audit trail."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from datetime import UTC, datetime

from tests.idp.conftest import csrf, dui, enrol


def _trail(app):
    from idp.registrar.models import RegistrarAuditEntry
    from infra.db import get_db

    with get_db(app).read() as session:
        return [(e.actor, e.action, e.details) for e in session.query(RegistrarAuditEntry)
                .order_by(RegistrarAuditEntry.id)]


def _client_row(app, client_id):
    from clients.registry.services import find_client
    from infra.db import get_db

    with get_db(app).read() as session:
        return find_client(session, client_id, enabled_only=False)


def _register(client, **fields):
    form = {"csrf_token": csrf(client, "/operator/agencies/new"), "name": "Ministerio de Trabajo",
            "redirect_uris": "https://trabajo.example/cb\r\nhttps://trabajo.example/cb2",
            "auth_method": "client_secret_basic", "scope": ["openid", "profile"], "subject_type": "pairwise",
            "purpose": "Trámites laborales", "contacts": "ti@trabajo.example", "security_profile": "oidc",
            **fields}
    return client.post("/operator/agencies/new", data=form)


def _token_works(client, client_id, secret) -> int:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return client.post("/token", data={"grant_type": "client_credentials"},
                       headers={"Authorization": f"Basic {raw}"}).status_code


def test_register_disable_enable_rotate_and_grant(client, oidc_app, operator):
    actor = f"operator:{operator.citizen_id}"
    bad = _register(client, redirect_uris="http://trabajo.example/cb")
    assert bad.status_code == 400 and 'id="form-error"' in bad.get_data(as_text=True)
    assert "redirect_uris" in bad.get_data(as_text=True)
    done = _register(client)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    client_id = re.search(r'id="client-id">([^<]+)<', html).group(1)
    secret = re.search(r'id="client-secret">([^<]+)<', html).group(1)
    row = _client_row(oidc_app, client_id)
    assert row.operator_registered and row.client_metadata["contacts"] == ["ti@trabajo.example"]
    assert row.client_metadata["redirect_uris"] == ["https://trabajo.example/cb", "https://trabajo.example/cb2"]
    # The list finds it by name; the details page shows what an operator needs.
    listing = client.get("/operator/agencies?q=trabajo").get_data(as_text=True)
    assert client_id in listing
    assert client_id not in client.get("/operator/agencies?q=hacienda").get_data(as_text=True)
    details = client.get(f"/operator/agencies/{client_id}").get_data(as_text=True)
    assert "Trámites laborales" in details and "https://trabajo.example/cb2" in details
    token = csrf(client, f"/operator/agencies/{client_id}")
    # Grant the agency scopes: client credentials become possible with the secret.
    granted = client.post(f"/operator/agencies/{client_id}/scopes",
                          data={"csrf_token": token, "scope": ["documents:issue", "indicators:read"]})
    assert granted.status_code == 303
    assert _token_works(client, client_id, secret) == 200
    # Disable: no more tokens; enable: tokens again.
    disabled = client.post(f"/operator/agencies/{client_id}/state", data={"csrf_token": token, "enabled": "0"})
    assert disabled.status_code == 303 and disabled.headers["Location"].endswith("?done=disabled")
    assert not _client_row(oidc_app, client_id).enabled
    assert _token_works(client, client_id, secret) == 401
    client.post(f"/operator/agencies/{client_id}/state", data={"csrf_token": token, "enabled": "1"})
    assert _client_row(oidc_app, client_id).enabled
    # Rotate: the old secret stops working at once, the new one works.
    rotated = client.post(f"/operator/agencies/{client_id}/secret", data={"csrf_token": token})
    new_secret = re.search(r'id="client-secret">([^<]+)<', rotated.get_data(as_text=True)).group(1)
    assert new_secret != secret
    assert _token_works(client, client_id, secret) == 401
    assert _token_works(client, client_id, new_secret) == 200
    # A back-channel URI that is not public https is refused with the registry's own words.
    refused = client.post(f"/operator/agencies/{client_id}/backchannel",
                          data={"csrf_token": token, "uri": "http://10.0.0.1/logout"})
    assert refused.status_code == 400 and "backchannel_logout_uri" in refused.get_data(as_text=True)
    unknown = client.post(f"/operator/agencies/{client_id}/scopes", data={"csrf_token": token, "scope": "openid"})
    assert unknown.status_code == 400 and "is not a restricted scope" in unknown.get_data(as_text=True)
    assert client.get("/operator/agencies/nobody").status_code == 404
    actions = [(a, d.get("client_id")) for who, a, d in _trail(oidc_app) if who == actor]
    assert actions == [("agency.registered", client_id), ("agency.scopes_granted", client_id),
                       ("agency.disabled", client_id), ("agency.enabled", client_id),
                       ("agency.secret_rotated", client_id)]
    assert all(secret not in json.dumps(d) and new_secret not in json.dumps(d) for _, _, d in _trail(oidc_app))


def test_initial_access_token(client, oidc_app, operator):
    token = csrf(client, "/operator/initial-tokens")
    bad = client.post("/operator/initial-tokens", data={"csrf_token": token, "uses": "0"})
    assert bad.status_code == 400
    done = client.post("/operator/initial-tokens", data={"csrf_token": token, "label": "Aduanas",
                                                         "scope": "documents:issue", "uses": "1", "days": "3"})
    issued = re.search(r'id="initial-token">([^<]+)<', done.get_data(as_text=True)).group(1)
    from cryptography.hazmat.primitives.asymmetric import ec
    from joserfc.jwk import ECKey

    public = ECKey.import_key(ec.generate_private_key(ec.SECP256R1())).as_dict(private=False)
    registered = client.post("/register", json={"redirect_uris": ["https://aduanas.example/cb"],
                                                "scope": "openid documents:issue",
                                                "token_endpoint_auth_method": "private_key_jwt",
                                                "jwks": {"keys": [{**public, "kid": "k1"}]}},
                             headers={"Authorization": f"Bearer {issued}"})
    assert registered.status_code == 201, registered.get_json()
    assert _trail(oidc_app)[-1][1] == "agency.initial_token"
    assert issued not in json.dumps(_trail(oidc_app)[-1][2])


def test_indicators_chart_table_and_exports_have_the_exact_numbers(client, oidc_app, operator):
    from infra.db import get_db
    from infra.indicators import tally

    today = datetime.now(UTC)
    with get_db(oidc_app).transaction() as session:
        for _ in range(3):
            tally(session, "document.issued", agency="hacienda", dimension="residence", now=today)
        tally(session, "document.issued", agency="trabajo", dimension="birth", now=today)
    page = client.get("/operator/indicators?step=month")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    block = re.search(r'<section class="chart-block"[^>]*id="block-document-issued">(.*?)</section>',
                      html, re.S).group(1)
    assert '<svg class="chart"' in block and 'role="img"' in block
    assert re.findall(r'<td class="num">(\d+)</td>', block.split("<tfoot>")[1]) == ["1", "3", "4"]  # exact, no floor
    one = client.get("/operator/indicators?agency=hacienda").get_data(as_text=True)
    assert "birth" not in one and "residence" in one
    exported = client.get("/operator/indicators/export?format=csv&agency=hacienda")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(r["agency"], r["dimension"], r["count"]) for r in rows if r["count"] != "0"] == [
        ("hacienda", "residence", "3")]
    as_json = client.get("/operator/indicators/export?format=json&step=week").get_json()
    assert as_json["privacy_floor"] is None
    bad = client.get("/operator/indicators?start=2026-02-30")
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    assert [a for _, a, _ in _trail(oidc_app)][-2:] == ["indicators.exported", "indicators.exported"]


def test_people_grant_and_revoke_roles(client, oidc_app, operator):
    other = oidc_app.test_client()
    person = enrol(other, national_id=dui(55555555))
    token = csrf(client, "/operator/people")
    done = client.post("/operator/people", data={"csrf_token": token, "national_id": person.national_id,
                                                 "role": "operator", "action": "grant"})
    assert done.status_code == 303 and done.headers["Location"].endswith("done=operator.granted")
    assert person.national_id in client.get("/operator/people").get_data(as_text=True)
    registrar = client.post("/operator/people", data={"csrf_token": token, "national_id": person.national_id,
                                                      "role": "registrar", "action": "grant",
                                                      "service_point": "Oficina Sur"})
    assert registrar.status_code == 303
    assert "Oficina Sur" in client.get("/operator/people").get_data(as_text=True)
    own = client.post("/operator/people", data={"csrf_token": token, "national_id": operator.national_id,
                                                "role": "operator", "action": "revoke"})
    assert own.status_code == 403
    missing = client.post("/operator/people", data={"csrf_token": token, "national_id": dui(66666666),
                                                    "role": "operator", "action": "grant"})
    assert missing.status_code == 404
    again = client.post("/operator/people", data={"csrf_token": token, "national_id": person.national_id,
                                                  "role": "operator", "action": "revoke"})
    assert again.status_code == 303
    actions = [(who, a) for who, a, _ in _trail(oidc_app)][1:]
    assert actions == [(f"operator:{operator.citizen_id}", "operator.granted"),
                       (f"operator:{operator.citizen_id}", "role.granted"),
                       (f"operator:{operator.citizen_id}", "role.refused"),
                       (f"operator:{operator.citizen_id}", "operator.revoked")]


def test_audit_trail_search_and_export(client, oidc_app, operator):
    page = client.get("/operator/audit?action=operator.granted").get_data(as_text=True)
    assert "operator:tester" in page
    assert "operator:tester" not in client.get("/operator/audit?action=agency").get_data(as_text=True)
    assert client.get("/operator/audit?start=yesterday").status_code == 400
    exported = client.get("/operator/audit/export?format=csv&actor=tester")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(r["actor"], r["action"]) for r in rows] == [("operator:tester", "operator.granted")]
    assert exported.headers["Content-Disposition"] == 'attachment; filename="operator-audit.csv"'
    assert _trail(oidc_app)[-1][1] == "audit.exported"
    listed = client.get("/operator/audit/export?format=json").get_json()
    assert [e["action"] for e in listed][:2] == ["audit.exported", "operator.granted"]


def test_keys_page_shows_keys_certificates_and_fido_status(client, oidc_app, operator):
    page = client.get("/operator/keys")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="signing-keys"' in html and "ES256" in html
    assert 'id="fido"' in html
    token = csrf(client, "/operator/keys")
    bad = client.post("/operator/keys/renew", data={"csrf_token": token, "certificate": "root"})
    assert bad.status_code == 400
    rotated = client.post("/operator/keys/rotate", data={"csrf_token": token})
    assert rotated.status_code == 303 and rotated.headers["Location"].endswith("done=rotated")
    assert _trail(oidc_app)[-1][1] == "signing_keys.rotated"
    unknown = client.post("/operator/keys/revoke", data={"csrf_token": token, "serial": "abcdef",
                                                         "reason": "keyCompromise"})
    assert unknown.status_code == 400


def test_english_pages(client, oidc_app, operator):
    client.get("/language/en?next=/operator")
    html = client.get("/operator").get_data(as_text=True)
    assert "Operator console" in html and 'lang="en"' in html


def test_the_form_sets_the_highest_level_an_agency_may_ask_for(client, oidc_app, operator):
    form = client.get("/operator/agencies/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ('<select id="max_assurance_level" name="max_assurance_level" '
            'aria-describedby="max_assurance_level-hint"') in form
    assert 'id="max_assurance_level-hint"' in form and "Level high is for FAPI 2.0 portals" in form
    assert [f'<option value="{level}"' in form for level in ("", "low", "substantial", "high")] == [True] * 4
    # Unknown: refused with the registry's words, the summary linked to the field, kept selected.
    bad = _register(client, max_assurance_level="extreme")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'href="#max_assurance_level"' in page
    assert "max_assurance_level: use one of low, substantial, high" in page
    assert 'aria-invalid="true"' in page[page.index('id="max_assurance_level"'):][:400]
    # Low: kept as the agency's metadata.
    done = _register(client, max_assurance_level="low")
    client_id = re.search(r'id="client-id">([^<]+)<', done.get_data(as_text=True)).group(1)
    assert _client_row(oidc_app, client_id).client_metadata["max_assurance_level"] == "low"
    # Not chosen: no metadata, the profile's default applies.
    default = _register(client)
    other = re.search(r'id="client-id">([^<]+)<', default.get_data(as_text=True)).group(1)
    assert "max_assurance_level" not in _client_row(oidc_app, other).client_metadata


def test_indicators_name_periods_and_numbers_as_the_operator_writes_them(client, oidc_app, operator):
    """Rows and chart labels are dates in the page's language (CLDR), not ISO 8601 or ISO weeks;
    counts are numbers in that language. The exports keep the machine labels."""
    from infra.db import get_db
    from infra.indicators import tally

    with get_db(oidc_app).transaction() as session:
        tally(session, "document.issued", agency="hacienda", dimension="residence", by=12_345,
              now=datetime(2026, 11, 30, 12, tzinfo=UTC))

    def page(query, lang="es"):
        html = client.get(f"/operator/indicators?{query}", headers={"Accept-Language": lang}).get_data(as_text=True)
        block = re.search(r'id="block-document-issued">(.*?)</section>', html, re.S).group(1)
        return block, re.findall(r'<th scope="row">([^<]+)</th>', block)

    block, rows = page("start=2026-11-30&end=2026-12-01&step=day")
    assert rows[:2] == ["30 nov 2026", "1 dic 2026"]
    assert "12.345" in block and "2026-11-30" not in block
    assert "del 30 de noviembre de 2026 al 1 de diciembre de 2026" in block
    assert ">30 nov</text>" in block
    _block, rows = page("start=2026-11-30&end=2026-12-01&step=week")
    assert rows[0] == "Semana del 30 nov 2026" and "2026-W" not in _block
    _block, rows = page("start=2026-11-30&end=2026-12-01&step=month", lang="en")
    assert rows[:2] == ["November 2026", "December 2026"] and "12,345" in _block
    exported = client.get("/operator/indicators/export?format=csv&start=2026-11-30&end=2026-11-30")
    assert {r["period"] for r in csv.DictReader(io.StringIO(exported.get_data(as_text=True)))} == {"2026-11-30"}
