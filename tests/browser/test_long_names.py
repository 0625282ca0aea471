"""Long names and many items reflow at 320 CSS pixels (WCAG 1.4.10): a passkey named with one
long word, a person with long names and a long e-mail address, a dozen sessions on devices with
long names. Names are the citizen's own data, so they break rather than widen the page."""

from __future__ import annotations

import time

import pytest

from tests.browser.flows import continue_to_account, enrol, new_person
from tests.browser.test_reflow import Visit, Walk

pytestmark = pytest.mark.browser

LONG_WORD = "Llavedeseguridaddelaoficinaprincipaldeatencionalciudadano-SanSalvador"[:64]


def test_long_names_and_many_sessions_reflow_in_both_languages(browser, server):
    import os
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from idp.citizens.models import Citizen, Passkey
    from idp.sessions import session_policy
    from idp.sessions.records import create
    from infra.db import get_db
    from infra.jose import b64url
    from infra.store import get_store

    browser.new_device()
    enrol(browser, new_person(given_name="Maximiliana Guadalupe" * 4, family_name="Hernández-Villavicencio" * 4,
                              email="maria.jose.hernandez.nunez.de.la.villavicencio@correo.example.sv"))
    continue_to_account(browser)
    with get_db(server.app).transaction() as db:
        citizen_uuid = db.scalars(sa.select(Citizen.id)).one()
        citizen_id = str(citizen_uuid)
        db.scalars(sa.select(Passkey)).one().name = LONG_WORD
        spare = os.urandom(16)  # a second passkey, so that the first can be deleted
        db.add(Passkey(citizen_id=citizen_uuid, credential_id=spare, public_key=b"\xa0", sign_count=0,
                       aaguid="00000000-0000-0000-0000-000000000000", attestation_format="none",
                       transports=["usb"], backup_eligible=False, backed_up=False,
                       name=LONG_WORD[::-1], created_at=datetime.now(UTC)))
        passkey_id = b64url(spare)
    store = get_store(server.app)
    sessions = [create(store, session_policy(server.app), citizen_id=citizen_id, amr=("hwk", "user"),
                       user_agent="Mozilla/5.0 (Linux; Android 14; SM-S928B) AppleWebKit/537.36 (KHTML, like Gecko) "
                                  "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
                       credential_id=None, recovery=False, now=time.time()).session.sid for _ in range(12)]
    walk = Walk(browser)
    walk.data |= {LONG_WORD, LONG_WORD[::-1]}
    walk.pages([Visit("/account", wait="ul#passkeys"),
                Visit("/account?error=invalid_name&passkey={passkey}", wait="#account-error"),
                Visit("/account/passkeys/{passkey}/delete"),
                Visit("/account/details"), Visit("/account/sessions", wait="ul#sessions"),
                Visit("/account/sessions/{sid}/end")],
               {"passkey": passkey_id, "sid": sessions[0]})
    walk.report()
