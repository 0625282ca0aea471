"""Under which consent was each release made: every release entry in the data-sharing log names
the decision it was made under (its reference), and the citizen's log page links each entry to
the receipt of that decision."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from tests.idp.consent.conftest import log_of
from tests.idp.oidc.conftest import bearer, tokens_for


def _consent_ids(app, citizen_id: str) -> list[str]:
    from idp.consent.models import Consent
    from infra.db import get_db

    with get_db(app).read() as session:
        return [str(c) for c in session.scalars(sa.select(Consent.id).where(
            Consent.citizen_id == uuid.UUID(citizen_id)).order_by(Consent.given_at))]


def test_each_release_names_the_consent_it_was_made_under(client, register, citizen):
    agency = register(client_name="Hacienda", purpose="Declaraciones")
    body = tokens_for(client, agency, scope="openid email")
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 200
    (consent_id,) = _consent_ids(client.application, citizen.citizen_id)
    entries = {e.event: e for e in log_of(client.application, citizen.citizen_id)}
    assert entries["consent.given"].reference == consent_id
    assert entries["release.id_token"].reference == consent_id
    assert entries["release.userinfo"].reference == consent_id

    html = client.get("/account/log").get_data(as_text=True)
    link = f'href="/account/agencies/{consent_id}/receipt"'
    assert html.count(link) == 3  # consent given, ID token, UserInfo
    assert "Ver lo que usted autorizó" in html
    assert client.get(f"/account/agencies/{consent_id}/receipt").status_code == 200
    english = client.get("/account/log", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "See what you agreed to" in english


def test_a_reference_that_is_not_the_citizens_consent_is_not_linked(client, register, citizen):
    from infra.db import get_db

    agency = register()
    tokens_for(client, agency)
    with get_db(client.application).engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entries SET reference = :r WHERE event = 'release.id_token'"),
                     {"r": "00000000-0000-4000-8000-000000000000"})
    html = client.get("/account/log").get_data(as_text=True)
    assert html.count('class="entry-consent"') == 1  # the consent.given entry only
