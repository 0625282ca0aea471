"""A sign-out request waiting for the citizen's answer (RP-Initiated Logout 1.0, section 2:
the confirmation) is answered once, also when its language switch read it before the answer
took it. Before, the switch stored the request again after reading it: one answered meanwhile
came back, and the same confirmation could be answered a second time (signing the browser out
and sending it to the agency again). Now the switch changes it only if it is still as read
(compare-and-set, both store backends)."""

from __future__ import annotations

import re

from idp.logout.end_session import PENDING
from infra.store import get_store


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def test_a_language_switch_does_not_bring_back_an_answered_sign_out_request(client, citizen, register, oidc_app,
                                                                           monkeypatch):
    agency = register()
    page = client.get(f"/end-session?client_id={agency.client_id}&ui_locales=en")
    assert page.status_code == 200  # no hint: the citizen is asked
    html = page.get_data(as_text=True)
    request_id = _field(html, "request")
    store = get_store(oidc_app)
    read = store.get(PENDING + request_id)
    assert read is not None

    stayed = client.post("/end-session/confirm", data={"csrf_token": _field(html, "csrf_token"),
                                                       "request": request_id, "decision": "stay"})
    assert stayed.status_code == 303  # answered: the request is taken
    kept_get = store.get
    # The switch read the request before the answer took it.
    monkeypatch.setattr(store, "get", lambda key: read if key == PENDING + request_id else kept_get(key))
    client.get(f"/language/es?next=/end-session?request={request_id}")
    monkeypatch.undo()
    assert store.get(PENDING + request_id) is None  # not brought back
