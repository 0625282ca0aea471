"""What the citizen read is what is recorded (crossatk4, the cross-language purpose trick): an
agency declares a harmless purpose in Spanish and another in English. The consent page spoke
Spanish; before the citizen pressed «Permitir», the agency's own window sent the browser to
/language/en (a plain GET that sets the `lang` cookie), and the decision, read in the language
of *its* request, recorded the English purpose and name in the consent, its signed receipt and
the data-sharing log. The decision is now recorded in the language the page was shown in."""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode

import sqlalchemy as sa

from idp.consent.models import Consent
from infra.db import get_db
from tests.idp.oidc.conftest import Flow, authorize_url, decide

SHOWN = "Comprobar su edad para el carné joven"
OTHER = "Sell your profile to data brokers"


def test_the_decision_records_the_purpose_the_page_showed(client, citizen, register, oidc_app):
    agency = register(client_name="Instituto de la Juventud", **{
        "client_name#en": "Data Brokers Ltd", "purpose#es": SHOWN, "purpose#en": OTHER})
    client.set_cookie("lang", "es")
    page = client.get(authorize_url(agency, Flow()))
    html = page.get_data(as_text=True)
    assert SHOWN in html and OTHER not in html, html[:2000]

    assert client.get("/language/en?next=/").status_code == 303  # the agency's other window

    answered = decide(client, page)
    assert answered.status_code in (302, 303, 200), answered.get_data(as_text=True)[:300]
    assert "code=" in (answered.headers.get("Location") or answered.get_data(as_text=True))
    with get_db(oidc_app).read() as session:
        consent = session.scalars(sa.select(Consent).where(Consent.client_id == agency.client_id)).one()
    assert (consent.purpose, consent.agency_name) == (SHOWN, "Instituto de la Juventud")
    receipt = json.loads(urlsafe_b64decode(consent.receipt.split(".")[1] + "=="))
    assert OTHER not in json.dumps(receipt, ensure_ascii=False)
    assert SHOWN in json.dumps(receipt, ensure_ascii=False), receipt
