"""The in-person route of reclaiming a squatted national ID (#12): a registrar checks the
holder's document, the account that held the number is frozen, the holder binds a passkey."""

from __future__ import annotations

import re
import uuid

from tests.idp.assurance.conftest import metadata, pki  # noqa: F401 - fixtures
from tests.idp.conftest import csrf, dui, enrol, sign_in
from tests.idp.oidc.conftest import oidc_app  # noqa: F401 - fixture
from tests.idp.registrar.conftest import bind
from tests.idp.registrar.test_registrar import FUTURE, _log, _trail, registrar  # noqa: F401
from tests.support.authenticator import SoftwareAuthenticator


def test_a_registrar_gives_a_squatted_id_back_in_person(client, registrar, oidc_app):  # noqa: F811
    """The in-person route of #12: the document holder gets the national ID, the squatter
    is frozen, and both sides are in the operator trail and the citizens' logs."""
    from idp.assurance.services import proofing_of
    from idp.citizens.models import Citizen
    from infra.db import get_db

    squatter_browser = oidc_app.test_client()
    squatter = enrol(squatter_browser, SoftwareAuthenticator(), national_id=dui(22222222),
                     email="impostor@example.sv")
    token = csrf(client, "/registrar/reclaim")
    form = {"csrf_token": token, "national_id": dui(22222222), "given_name": "Eva",
            "family_name": "Ruiz", "birthdate": "1991-01-01", "email": "eva@example.sv",
            "document_type": "national_id_card", "document_number": "A123", "document_expiry": FUTURE}
    page = client.post("/registrar/reclaim", data=form)
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    code = re.search(r'id="binding-code">([^<]+)<', page.get_data(as_text=True)).group(1)
    with get_db(oidc_app).read() as session:
        holder = session.query(Citizen).filter_by(national_id=dui(22222222)).one()
        frozen = session.get(Citizen, uuid.UUID(squatter.citizen_id))
        assert frozen.national_id.startswith("frozen:")
        assert proofing_of(session, holder.id) == ("high", "in_person")
    actions = [(a, c) for _, a, c in _trail(oidc_app)]
    assert ("identity.frozen", squatter.citizen_id) in actions
    assert ("identity.reclaimed", str(holder.id)) in actions
    assert "identity.frozen" in _log(oidc_app, squatter.citizen_id)
    assert "identity.reclaimed" in _log(oidc_app, str(holder.id))
    assert sign_in(oidc_app.test_client(), squatter.key).status_code != 200
    assert squatter_browser.get("/account").status_code in (302, 303)
    # The holder binds a passkey on their own device with the code.
    device = oidc_app.test_client()
    bound = bind(device, code)
    assert bound.status_code == 303


def test_a_registrar_cannot_reclaim_their_own_number(client, registrar, oidc_app):  # noqa: F811
    token = csrf(client, "/registrar/reclaim")
    form = {"csrf_token": token, "national_id": dui(11111111), "given_name": "Ana María",
            "family_name": "López Pérez", "birthdate": "1990-05-17", "email": "x@example.sv",
            "document_type": "national_id_card", "document_number": "A123", "document_expiry": FUTURE}
    page = client.post("/registrar/reclaim", data=form)
    assert page.status_code == 403 and "su propio registro" in page.get_data(as_text=True)
    assert ("registrar", "own_record.refused", registrar.citizen_id) in _trail(oidc_app)
    assert client.get("/registrar").status_code == 200  # still a registrar, still signed in
