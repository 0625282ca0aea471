"""Enrolment without a registrar: PID first (OpenID4VP), the form filled from it, a passkey,
then proofing high for the new account. A PID already enrolled, one of another country, or
a browser that did not ask, gets no account."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import dui, enrol, fields, post_json
from tests.idp.wallet.test_proofing import (  # noqa: F401 - fixtures
    REVEAL,
    _pid_claims,
    foreign_issuer,
    pid_issuer,
)
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.wallet import HeldCredential


def _start(client) -> dict[str, str]:
    page = client.get("/enrol/wallet").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    shown = client.post("/enrol/wallet", data={"csrf_token": token})
    assert shown.status_code == 200
    link = re.search(r'id="request-link" href="([^"]+)"', shown.get_data(as_text=True)).group(1)
    return {k: v[0] for k, v in parse_qs(urlsplit(link.replace("&amp;", "&")).query).items()}


def _share(client, holder, issuer, params, **claims):
    pid = HeldCredential(issuer.issue(holder_jwk=holder.key.as_dict(private=False),
                                      claims=_pid_claims(**claims)))
    presentation = holder.present(pid, reveal=REVEAL, nonce=params["nonce"],
                                  audience=params["client_id"])
    answer = client.post("/wallet/presentations/response", data={
        "vp_token": json.dumps({"pid": [presentation]}), "state": params["state"]})
    if answer.status_code == 200 and client is not None:  # the wallet comes back (same device)
        target = urlsplit(answer.get_json()["redirect_uri"])
        _LANDINGS[params["state"]] = target.path + "?" + target.query
    return answer


_LANDINGS: dict[str, str] = {}


def _done(browser, params):
    """The wallet's redirect opened in `browser`, or the state link without an answer."""
    return browser.get(_LANDINGS.get(params["state"], f"/enrol/wallet/done?state={params['state']}"))


def test_enrolment_from_a_pid_is_proofed_high_without_a_registrar(docs_app, pid_issuer, holder):  # noqa: F811
    browser = docs_app.test_client()
    params = _start(browser)
    number = dui(7654321)
    answer = _share(browser, holder, pid_issuer, params, personal_administrative_number=number)
    assert answer.status_code == 200, answer.get_json()
    done = urlsplit(answer.get_json()["redirect_uri"])
    form = browser.get(done.path + "?" + done.query)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    person = fields()
    assert f'value="{person["given_name"]}"' in html and f'value="{number}"' in html
    assert 'data-next="/enrol/wallet/complete?state=' in html

    # the person adds an email and creates a passkey (the enrolment JSON API, as enrol.js does)
    key = SoftwareAuthenticator()
    options = post_json(browser, "/webauthn/registration/options",
                        fields(national_id=number, email="ana@correo.example"))
    assert options.status_code == 200, options.get_json()
    created = post_json(browser, "/webauthn/registration/verify", key.register(options.get_json()))
    assert created.status_code == 200, created.get_json()
    complete = browser.get(f"/enrol/wallet/complete?state={params['state']}")
    assert 'data-status="raised"' in complete.get_data(as_text=True)
    from idp.citizens.models import Passkey
    from infra.db import get_db

    with get_db(docs_app).read() as db:
        citizen_id = db.query(Passkey).filter_by(credential_id=key.credential_id).one().citizen_id
    assert proofing(docs_app, citizen_id) == ("high", "eudi_wallet")
    # once only
    assert browser.get(f"/enrol/wallet/complete?state={params['state']}").status_code == 404


def test_edited_details_are_not_proofed(docs_app, pid_issuer, holder):  # noqa: F811
    browser = docs_app.test_client()
    params = _start(browser)
    number = dui(7654329)
    assert _share(browser, holder, pid_issuer, params, personal_administrative_number=number).status_code == 200
    assert _done(browser, params).status_code == 200  # the form, filled from the PID
    key = SoftwareAuthenticator()
    options = post_json(browser, "/webauthn/registration/options",
                        fields(national_id=number, given_name="Otra Persona", email="o@correo.example"))
    post_json(browser, "/webauthn/registration/verify", key.register(options.get_json()))
    complete = browser.get(f"/enrol/wallet/complete?state={params['state']}")
    assert 'data-status="mismatch"' in complete.get_data(as_text=True)


def test_an_enrolled_or_foreign_pid_or_another_browser_gets_no_form(web, docs_app, pid_issuer,  # noqa: F811
                                                                    foreign_issuer, holder):  # noqa: F811
    enrol(web)  # the default person is enrolled already
    browser = docs_app.test_client()
    params = _start(browser)
    assert _share(browser, holder, pid_issuer, params).status_code == 200
    page = _done(browser, params)
    assert page.status_code == 409 and 'data-status="exists"' in page.get_data(as_text=True)

    params = _start(browser)  # a PID of Spain's (trusted) provider is foreign here
    assert _share(browser, holder, foreign_issuer, params, issuing_country="ES",
                  personal_administrative_number="12345678Z").status_code == 200
    assert 'data-status="foreign"' in _done(browser, params).get_data(as_text=True)

    params = _start(browser)  # and it cannot speak for this country: no form, no account
    refused = _share(browser, holder, foreign_issuer, params,
                     personal_administrative_number=dui(7654345))
    assert refused.status_code == 400 and refused.get_json()["error"] == "issuer_country_mismatch"
    assert _done(browser, params).status_code == 404

    params = _start(browser)
    assert _share(browser, holder, pid_issuer, params,
                  personal_administrative_number=dui(7654337)).status_code == 200
    stranger = docs_app.test_client()
    assert stranger.get(f"/enrol/wallet/done?state={params['state']}").status_code == 404
    shown = _done(stranger, params)  # the wallet's redirect elsewhere: a code, not the PID
    assert shown.status_code == 200 and 'id="handover-code"' in shown.get_data(as_text=True)
    assert "given_name" not in shown.get_data(as_text=True)
