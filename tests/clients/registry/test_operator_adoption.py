"""An operator taking over a self-registered portal (`upsert_operator_client` on its id) takes
its management too: the portal's RFC 7592 registration access token stops working. Before, the
token went on working with the operator's permissions (any scope, public subjects, names like
the provider's), since an update's permissions follow `operator_registered`."""

from __future__ import annotations

from clients.registry.services import upsert_operator_client
from infra.db import get_db


def test_the_self_registration_token_stops_when_an_operator_adopts_the_client(client, fresh_app, register):
    created = register({})
    management = {"Authorization": f"Bearer {created['registration_access_token']}"}
    path = f"/register/{created['client_id']}"
    with get_db(fresh_app).transaction() as session:
        upsert_operator_client(session, client_id=created["client_id"], metadata={
            "client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]})

    assert client.get(path, headers=management).status_code == 401
    same = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}
    assert client.put(path, json=same, headers=management).status_code == 401
    assert client.delete(path, headers=management).status_code == 401
