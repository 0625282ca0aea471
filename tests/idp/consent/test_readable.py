"""Consent receipts and the data-sharing log for people: pages, PDFs (read back with poppler),
and withdrawing an agency's access only after its confirmation page."""

from __future__ import annotations

import re

from idp.consent.models import Consent
from infra.db import get_db
from tests.idp.consent.conftest import csrf_from
from tests.idp.oidc.conftest import bearer, tokens_for
from tests.support.pdf_text import pdf_catalog, pdf_text


def _consent_id(client) -> str:
    with get_db(client.application).read() as db:
        return str(db.query(Consent).one().id)


def test_the_receipt_page_says_who_what_when_and_how_to_withdraw(client, register, citizen):
    agency = register(client_name="Ministerio de Educación", purpose="Matrícula escolar")
    tokens_for(client, agency, scope="openid email")
    consent_id = _consent_id(client)
    agencies = client.get("/account/agencies").get_data(as_text=True)
    assert f'href="/account/agencies/{consent_id}/receipt"' in agencies
    assert f'href="/account/agencies/{consent_id}/receipt.pdf" download' in agencies
    assert f'href="/account/agencies/receipts/{consent_id}" download' in agencies  # the JWS stays
    page = client.get(f"/account/agencies/{consent_id}/receipt", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    # The Spanish name on the English page is marked Spanish (WCAG 2.2 SC 3.1.2).
    assert 'id="receipt-agency" lang="es">Ministerio de Educación<' in html and "Matrícula escolar" in html
    assert "Your email" in html or "email" in html.lower()
    assert 'data-status="active"' in html and "In force until" in html
    assert f'href="/account/agencies/revoke?client_id={agency.client_id}"' in html
    assert 'data-group="agencies" aria-current="true"' in html
    assert "ana@example.sv" not in html  # names claims, never their values


def test_the_receipt_pdf_is_readable_and_names_the_agency(client, register, citizen):
    agency = register(client_name="Ministerio de Educación", purpose="Matrícula escolar")
    tokens_for(client, agency, scope="openid email")
    response = client.get(f"/account/agencies/{_consent_id(client)}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"consent-receipt-")
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    assert "Ministerio de Educación" in text and "Matrícula escolar" in text
    assert "Cómo retirar el permiso" in text and "/account/agencies" in text
    root, _pages = pdf_catalog(response.data)
    assert str(root["/Lang"]) == "es" and "/StructTreeRoot" in root


def test_another_citizens_receipt_is_not_found(client, register, citizen):
    from tests.idp.conftest import another_citizen

    tokens_for(client, register())
    consent_id = _consent_id(client)
    other, _ = another_citizen(client.application)
    assert other.get(f"/account/agencies/{consent_id}/receipt").status_code == 404
    assert other.get(f"/account/agencies/{consent_id}/receipt.pdf").status_code == 404
    assert other.get("/account/agencies/not-a-uuid/receipt").status_code == 404


def test_the_log_pdf_lists_the_releases(client, register, citizen):
    agency = register(client_name="Hacienda Pública")
    body = tokens_for(client, agency, scope="openid email")
    client.get("/userinfo", headers=bearer(body["access_token"]))
    html = client.get("/account/log").get_data(as_text=True)
    assert 'id="log-pdf" href="/account/log.pdf" download' in html and 'id="log-download"' in html
    assert '<table class="log-table reflow" id="log">' in html and 'data-label="Institución"' in html
    response = client.get("/account/log.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="cedula-data-sharing-log.pdf"'
    text = pdf_text(response.data)
    assert "Hacienda Public" in text.replace("Pública", "Public")
    assert "with 3 entries" in text and "Page 1 of 1" in text
    assert "ana@example.sv" not in text


def test_withdrawing_asks_first_and_the_post_needs_csrf(client, register, citizen):
    agency = register(client_name="Registro Civil")
    tokens_for(client, agency)
    confirm = client.get(f"/account/agencies/revoke?client_id={agency.client_id}")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "¿Dejar de compartir sus datos con Registro Civil?" in html
    assert '<form id="confirm-form" method="post" action="/account/agencies/revoke">' in html
    assert f'name="client_id" value="{agency.client_id}"' in html and 'id="confirm-instead"' in html
    with get_db(client.application).read() as db:
        assert db.query(Consent).one().revoked_at is None  # nothing withdrawn by looking
    assert client.post("/account/agencies/revoke", data={"client_id": agency.client_id}).status_code == 400
    with get_db(client.application).read() as db:
        assert db.query(Consent).one().revoked_at is None
    done = client.post("/account/agencies/revoke", data={"csrf_token": csrf_from(html), "client_id": agency.client_id})
    assert done.headers["Location"] == "/account/agencies?done=revoked"
    with get_db(client.application).read() as db:
        assert db.query(Consent).one().revoked_at is not None


def test_no_confirmation_for_an_agency_that_is_not_connected(client, citizen):
    response = client.get("/account/agencies/revoke?client_id=nobody")
    assert response.status_code == 303 and response.headers["Location"] == "/account/agencies?error=not_connected"


def test_the_agencies_card_goes_to_the_confirmation(client, register, citizen):
    agency = register()
    tokens_for(client, agency)
    html = client.get("/account/agencies").get_data(as_text=True)
    form = re.search(r'<form class="revoke-agency" method="get" action="/account/agencies/revoke">(.*?)</form>',
                     html, re.S)
    assert form and f'value="{agency.client_id}"' in form.group(1) and "csrf_token" not in form.group(1)


def test_a_withdrawn_permission_keeps_its_receipts(client, register, citizen):
    agency = register(client_name="Registro Civil")
    tokens_for(client, agency)
    consent_id = _consent_id(client)
    html = client.get(f"/account/agencies/revoke?client_id={agency.client_id}").get_data(as_text=True)
    client.post("/account/agencies/revoke", data={"csrf_token": csrf_from(html), "client_id": agency.client_id})
    agencies = client.get("/account/agencies", headers={"Accept-Language": "en"}).get_data(as_text=True)
    earlier = agencies[agencies.index('id="earlier"'):]
    assert '<tr data-status="withdrawn">' in earlier and "Registro Civil" in earlier
    assert f'href="/account/agencies/{consent_id}/receipt"' in earlier
    page = client.get(f"/account/agencies/{consent_id}/receipt", headers={"Accept-Language": "en"})
    body = page.get_data(as_text=True)
    assert 'data-status="withdrawn"' in body and "Withdrawn on" in body
    assert "there is nothing to withdraw" in body
    assert f'href="/account/agencies/receipts/{consent_id}?withdrawal=1" download' in body
