"""The enrolment refusal (national ID already enrolled) sent the citizen to "el enlace de abajo" /
"the link below", but since citizen10 the way to reclaim is a button of the enrolment form
(formaction, styled as a link) labelled "Recuperar mi número de identidad" / "Reclaim my identity
number". The refusal now names that button by the label the citizen sees."""

from __future__ import annotations

import html

from tests.idp.conftest import enrol, fields, post_json
from tests.support.catalog_text import said


def test_the_refusal_names_the_reclaim_button_the_citizen_sees(client):
    """`client`: on emptied tables (on the session-wide `app` another test's citizen may hold
    the default identity already, and the first enrolment would be the refused one)."""
    enrol(client)
    for lang in ("es", "en"):
        _refused_in(client.application, lang)


def _refused_in(app, lang: str) -> None:
    holder = app.test_client()
    holder.set_cookie("lang", lang)
    refused = post_json(holder, "/webauthn/registration/options", fields(email="otra.persona@example.sv"))
    assert refused.status_code == 400 and refused.get_json()["error"] == "enrolment_refused"
    description = refused.get_json()["error_description"]
    assert description == said(app, "webauthn.error.enrolment_refused", lang)
    label = said(app, "reclaim.title", lang)
    quoted = f"«{label}»" if lang == "es" else f"“{label}”"
    assert quoted in description
    assert not any(word in description.lower() for word in ("enlace", "link"))
    # The enrolment page shows it as a button with that label.
    page = html.unescape(holder.get("/enrol").get_data(as_text=True))
    assert f'class="button-link">{label}</button>' in page
