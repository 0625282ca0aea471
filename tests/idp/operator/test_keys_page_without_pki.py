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


def test_a_key_action_while_the_key_store_is_down_is_503_with_retry_after(client, oidc_app, operator,
                                                                         monkeypatch):
    """A rotation while the HSM does not answer was a 400 (as if the operator's input were
    wrong); the key store is a missing dependency: 503 with Retry-After, the page saying why."""
    import keys
    from keys.errors import KeyStoreUnavailable
    from tests.idp.conftest import csrf

    service = keys.get_service(oidc_app)

    def down(*_args, **_kwargs):
        raise KeyStoreUnavailable("the PKCS#11 token 'cedula' does not answer")

    token = csrf(client, "/operator/keys")
    monkeypatch.setattr(service.keyring, "rotate", down)
    page = client.post("/operator/keys/rotate", data={"csrf_token": token})
    assert page.status_code == 503 and page.headers["Retry-After"].isdigit()
    assert str(escape("the PKCS#11 token 'cedula' does not answer")) in page.get_data(as_text=True)
