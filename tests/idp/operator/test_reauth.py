"""A change made from the operator console needs a fresh passkey check (account.reauth_seconds),
not only a session at level high: an operator's session left open for hours, or a copied
cookie, cannot grant roles, suspend agencies or rotate keys."""

from __future__ import annotations

from tests.idp.conftest import age_session, csrf, dui, enrol, recheck


def _operators(app) -> set[str]:
    from idp.operator.models import Operator
    from infra.db import get_db

    with get_db(app).read() as session:
        return {str(row.citizen_id) for row in session.query(Operator) if row.revoked_at is None}


def test_a_stale_session_confirms_with_a_passkey_before_a_change(client, oidc_app, operator):
    person = enrol(oidc_app.test_client(), national_id=dui(55555555))
    token = csrf(client, "/operator/people")
    form = {"csrf_token": token, "national_id": person.national_id, "role": "operator", "action": "grant"}
    age_session(client, 3600)  # signed in at level high an hour ago
    assert client.get("/operator/people").status_code == 200  # reading still works
    asked = client.post("/operator/people", data=form)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'id="recheck-resubmit"' in page
    assert 'action="/operator/people"' in page and f'value="{person.national_id}"' in page
    assert person.citizen_id not in _operators(oidc_app)
    assert asked.headers["Cache-Control"].startswith("no-store")

    assert recheck(client, operator.key).status_code == 200
    done = client.post("/operator/people", data=form)
    assert done.status_code == 303 and done.headers["Location"].endswith("done=operator.granted")
    assert person.citizen_id in _operators(oidc_app)


def test_key_rotation_from_the_console_needs_it_too(client, oidc_app, operator):
    token = csrf(client, "/operator/keys")
    age_session(client, 3600)
    asked = client.post("/operator/keys/rotate", data={"csrf_token": token})
    assert asked.status_code == 200 and 'id="recheck-resubmit"' in asked.get_data(as_text=True)
