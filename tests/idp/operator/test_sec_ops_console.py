"""The console under hostile input: a date at the end of the calendar is a 400 saying which
field is wrong, never a server error."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/operator/audit?end=9999-12-31", "/operator/audit/export?end=9999-12-31",
                                  "/operator/audit?start=0001-01-01&end=9999-12-31"])
def test_the_last_day_of_the_calendar_is_a_bad_date_not_a_500(client, operator, path):
    """Attack: end=9999-12-31; the search's end (the day after it, exclusive) overflowed."""
    response = client.get(path)
    assert response.status_code == 400, response.status_code


@pytest.mark.parametrize("path", ["/operator/indicators?start=9999-12-30&end=9999-12-31",
                                  "/operator/indicators/export?start=9999-12-30&end=9999-12-31&step=month"])
def test_indicators_at_the_end_of_the_calendar(client, operator, path):
    assert client.get(path).status_code in (200, 400)


def _trail(app):
    from idp.registrar.models import RegistrarAuditEntry
    from infra.db import get_db

    with get_db(app).read() as session:
        return [(e.actor, e.action, e.citizen_id, e.details) for e in session.query(RegistrarAuditEntry)
                .order_by(RegistrarAuditEntry.id)]


def _registrar_row(app, citizen_id):
    import uuid

    from idp.registrar.models import Registrar
    from infra.db import get_db

    with get_db(app).read() as session:
        return session.get(Registrar, uuid.UUID(citizen_id))


@pytest.mark.parametrize("role", ["registrar", "operator"])
def test_an_operator_cannot_grant_a_role_to_themselves(client, oidc_app, operator, role):
    """Separation of duties: an operator who made themselves a registrar could then proof
    identities (at level high) with nobody else involved. The refusal is in the audit trail."""
    from tests.idp.conftest import csrf

    token = csrf(client, "/operator/people")
    before = len(_trail(oidc_app))
    response = client.post("/operator/people", data={"csrf_token": token, "national_id": operator.national_id,
                                                     "role": role, "action": "grant",
                                                     "service_point": "Oficina Central"})
    assert response.status_code == 403
    assert "pídaselo a otra persona operadora" in response.get_data(as_text=True)
    assert _registrar_row(oidc_app, operator.citizen_id) is None
    (entry,) = _trail(oidc_app)[before:]
    assert entry[0] == f"operator:{operator.citizen_id}" and entry[1] == "role.refused"
    assert str(entry[2]) == operator.citizen_id
    assert entry[3] == {"role": role, "action": "grant", "reason": "own_role"}


@pytest.mark.parametrize(("form", "sentence"), [
    ({"role": "registrar", "action": "revoke"}, "no tiene el rol de registro"),
    ({"role": "operator", "action": "revoke"}, "no tiene el rol de operación"),
    ({"role": "registrar", "action": "grant", "service_point": "   "}, "el punto de servicio"),
])
def test_a_refused_role_change_says_why_in_the_page_language(client, oidc_app, operator, form, sentence):
    """The refusal is a sentence of the catalogs (Spanish by default), not the service's English."""
    from tests.idp.conftest import csrf, dui, enrol

    person = enrol(oidc_app.test_client(), national_id=dui(55555555))
    token = csrf(client, "/operator/people")
    response = client.post("/operator/people", data={"csrf_token": token, "national_id": person.national_id,
                                                     **form})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert sentence in page
    assert "this citizen is not" not in page and "characters" not in page
