"""A withdrawal confirmed twice (two tabs, or Back and the button again) landed on "Instituciones
conectadas" saying "Esa institución no recibía datos suyos. Vuelva a «Instituciones conectadas»
para ver a quién comparte sus datos." / "That agency was not receiving data about you. Go back
to “Connected agencies”...": untrue (it was receiving them until the first withdrawal, a moment
ago) and an instruction to go to the page the citizen is on. Now it says that the agency no
longer receives their data, that its access was already withdrawn, that there is nothing more
to do, and that the list below shows who does receive it."""

from __future__ import annotations

import html
import re

import pytest

from tests.idp.conftest import csrf
from tests.idp.oidc.conftest import get_code

UNTRUE = {"es": ("no recibía", "Vuelva a"), "en": ("was not receiving", "Go back")}
SAID = {"es": ("ya no recibe", "ya estaba retirado", "No tiene que hacer nada más", "abajo"),
        "en": ("no longer receives", "already withdrawn", "do not need to do anything else", "below")}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_second_withdrawal_says_it_was_already_done(client, register, citizen, lang):
    agency = register(scope="openid profile")
    get_code(client, agency, scope="openid profile")  # the citizen consented: the agency is connected
    client.set_cookie("lang", lang)
    confirmation = f"/account/agencies/revoke?client_id={agency.client_id}"
    form = {"csrf_token": csrf(client, confirmation), "client_id": agency.client_id}
    first = client.post("/account/agencies/revoke", data=form)
    assert first.headers["Location"] == "/account/agencies?done=revoked"
    second = client.post("/account/agencies/revoke", data=form)  # the same form, sent again
    assert second.status_code == 303
    page = client.get(second.headers["Location"])
    summary = re.search(r'id="agencies-error".*?<ul class="error-summary-list">(.*?)</ul>',
                        page.get_data(as_text=True), re.S)
    assert summary is not None, "the page says nothing of the second withdrawal"
    said = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", summary.group(1))).split())
    for words in UNTRUE[lang]:
        assert words not in said, said
    for words in SAID[lang]:
        assert words in said, said
