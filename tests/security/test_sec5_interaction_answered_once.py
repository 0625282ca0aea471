"""An authorization request is answered once, also when two requests read it before either
answers it (a double submit, two tabs). Before, the account choice (prompt=select_account)
stored the interaction again after reading it: a second request that had read it before the
first took it brought it back and was answered with a second code; the language switch did the
same to a request answered meanwhile. Now a step that changes a kept interaction does so only if
it is still as read (compare-and-set, both store backends)."""

from __future__ import annotations

import re

from idp.oidc import interactions
from infra.store import get_store
from tests.idp.oidc.conftest import Flow, authorize_url, decide, get_code, redirect_params


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def _read_before(monkeypatch, interaction: interactions.Interaction) -> None:
    """The next requests read `interaction` as it was (they read it before the first answered)."""
    monkeypatch.setattr(interactions, "load", lambda _store, _id: interaction)


def test_a_double_submit_of_the_account_choice_issues_one_code(client, citizen, register, oidc_app,
                                                               monkeypatch):
    agency = register()
    get_code(client, agency)  # consent stands: "continue" answers with a code at once
    page = client.get(authorize_url(agency, Flow(), prompt="select_account"))
    html = page.get_data(as_text=True)
    form = {"csrf_token": _field(html, "csrf_token"), "interaction": _field(html, "interaction"),
            "choice": "continue"}
    read = interactions.load(get_store(oidc_app), form["interaction"])
    assert read is not None

    assert redirect_params(client.post("/authorize/account", data=form), agency)["code"]
    _read_before(monkeypatch, read)
    second = client.post("/authorize/account", data=form)
    assert "Location" not in second.headers, second.headers.get("Location")
    assert second.status_code == 400
    monkeypatch.undo()
    assert interactions.load(get_store(oidc_app), form["interaction"]) is None  # not brought back


def test_a_language_switch_does_not_bring_back_an_answered_request(client, citizen, register, oidc_app,
                                                                   monkeypatch):
    agency = register()
    page = client.get(authorize_url(agency, Flow(), ui_locales="en"))
    interaction_id = _field(page.get_data(as_text=True), "interaction")
    read = interactions.load(get_store(oidc_app), interaction_id)
    assert read is not None

    assert redirect_params(decide(client, page), agency)["code"]
    _read_before(monkeypatch, read)  # the switch read the request before the decision took it
    client.get(f"/language/es?next=/authorize/continue?interaction={interaction_id}")
    monkeypatch.undo()
    assert interactions.load(get_store(oidc_app), interaction_id) is None
    # So a second decision finds nothing to answer.
    again = decide(client, page)
    assert "Location" not in again.headers and again.status_code == 400
