"""The console's keys page before `cedula pki init` (a new deployment): it showed no certificate
lifetimes and said nothing, so the operator could not tell "no PKI yet" from "nothing due"; it
now says what is wrong and the command to run."""

from __future__ import annotations

from markupsafe import escape


def test_the_keys_page_says_the_pki_is_missing_and_what_to_run(client, oidc_app, operator, monkeypatch):
    import keys
    from keys.errors import PkiNotInitialised

    service = keys.get_service(oidc_app)
    message = "the document PKI does not exist yet: run `cedula pki init`"

    def missing():
        raise PkiNotInitialised(message)

    monkeypatch.setattr(service.pki, "material", missing)  # what a database without the PKI answers
    page = client.get("/operator/keys")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="signing-keys"' in html
    assert str(escape(message)) in html
