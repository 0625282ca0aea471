"""A relayed QR code (OpenID4VP cross-device phishing): an impostor opens a presentation
request on their own screen, sends its QR code to a victim ("scan this to sign in") and the
victim's wallet answers Cédula, the verifier it truthfully names. The answer goes only to the
browser that asked when the wallet comes back to it (same device); anywhere else that browser
must type the code the wallet's device shows, with a warning never to give it away
(`idp.wallet.handover`). Without the code the impostor gets no session in the victim's name, no
enrolment form filled with the victim's PID, and no proofing of their own account with it."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import csrf, enrol
from tests.idp.wallet import test_enrolment, test_proofing, test_sign_in
from tests.idp.wallet.test_proofing import pid_issuer  # noqa: F401 - fixture


def _landing(client, answer):
    """The wallet's redirect, opened in `client`."""
    assert answer.status_code == 200, answer.get_json()
    target = urlsplit(answer.get_json()["redirect_uri"])
    assert "response_code=" in target.query and "state=" not in target.query
    return client.get(target.path + "?" + target.query)


def _shown_code(page) -> str:
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="handover-warning"' in html
    return re.search(r'id="handover-code">([A-Z0-9-]+)<', html).group(1)


def _enter(browser, path: str, state: str, code: str):
    return browser.post(path, data={"csrf_token": csrf(browser, "/login"), "state": state,
                                    "code": code})


def test_a_relayed_sign_in_qr_code_signs_nobody_in(docs_app, pid_issuer, holder):
    victim = enrol(docs_app.test_client())
    impostor = docs_app.test_client()
    params = test_sign_in._start(impostor)  # the QR code on the impostor's screen
    answer = test_sign_in._respond(docs_app.test_client(), params,
                                   test_sign_in._present(holder, pid_issuer, params))
    victims_phone = docs_app.test_client()
    code = _shown_code(_landing(victims_phone, answer))
    assert victims_phone.get("/account").status_code != 200

    page = impostor.get(f"/login/wallet/done?state={params['state']}")
    assert page.status_code == 200 and 'id="handover-form"' in page.get_data(as_text=True)
    assert impostor.get("/account").status_code != 200
    for guess in ("AAA-AAA", "BBB-BBB", "CCC-CCC", "DDD-DDD"):
        wrong = _enter(impostor, "/login/wallet/done", params["state"], guess)
        assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.get_data(as_text=True)
    assert _enter(impostor, "/login/wallet/done", params["state"], "EEE-EEE").status_code == 404
    # five wrong codes end it: the right one no longer works either
    assert _enter(impostor, "/login/wallet/done", params["state"], code).status_code == 404
    assert impostor.get("/account").status_code != 200
    assert not [s for s in test_sign_in._sessions(docs_app, victim.citizen_id) if "pop" in s.amr]


def test_across_devices_the_code_from_the_wallet_signs_in_the_browser_that_asked(
        docs_app, pid_issuer, holder):
    enrol(docs_app.test_client())
    computer = docs_app.test_client()
    params = test_sign_in._start(computer, next_="/account/details")
    answer = test_sign_in._respond(docs_app.test_client(), params,
                                   test_sign_in._present(holder, pid_issuer, params))
    code = _shown_code(_landing(docs_app.test_client(), answer))  # the wallet's phone
    done = _enter(computer, "/login/wallet/done", params["state"], code.lower().replace("-", " "))
    assert done.status_code == 303 and done.headers["Location"] == "/account/details"
    assert computer.get("/account").status_code == 200


def test_on_the_same_device_the_wallets_redirect_signs_in_at_once(docs_app, pid_issuer, holder):
    enrol(docs_app.test_client())
    phone = docs_app.test_client()
    params = test_sign_in._start(phone)
    answer = test_sign_in._respond(docs_app.test_client(), params,
                                   test_sign_in._present(holder, pid_issuer, params))
    done = _landing(phone, answer)
    assert done.status_code == 303 and phone.get("/account").status_code == 200


def test_a_relayed_proofing_qr_code_does_not_proof_the_impostors_account(
        web, docs_app, pid_issuer, holder):
    """Identity squatting plus relay: the impostor enrolled with the victim's details (low)
    and has the victim's wallet answer a proofing request made on the impostor's screen."""
    squatted = enrol(web)  # the impostor's own passkey, the victim's details
    params = test_proofing._request(web)
    answer = test_proofing._respond(docs_app.test_client(), params,
                                    test_proofing._present(holder, pid_issuer, params))
    _shown_code(_landing(docs_app.test_client(), answer))  # on the victim's phone
    page = web.get(f"/account/wallet-proofing/done?state={params['state']}")
    assert 'id="handover-form"' in page.get_data(as_text=True)
    assert proofing(docs_app, squatted.citizen_id)[0] == "low"


def test_a_relayed_enrolment_qr_code_shows_the_impostor_nothing(docs_app, pid_issuer, holder):
    impostor = docs_app.test_client()
    params = test_enrolment._start(impostor)
    answer = test_enrolment._share(docs_app.test_client(), holder, pid_issuer, params)
    _shown_code(_landing(docs_app.test_client(), answer))
    page = impostor.get(f"/enrol/wallet/done?state={params['state']}").get_data(as_text=True)
    assert 'id="handover-form"' in page and "given_name" not in page
    assert impostor.get(f"/enrol/wallet/complete?state={params['state']}").status_code in (302, 404)


def test_a_wallet_session_into_the_same_account_is_not_the_browser_that_asked(
        web, docs_app, pid_issuer, holder):
    """The squatter asks for proofing in their passkey session and relays the QR code; the
    person, signed in to that same account with their wallet on their phone, scans it there:
    their wallet session is not the passkey session that asked, so it only sees the code."""
    squatted = enrol(web)
    params = test_proofing._request(web)
    phone = docs_app.test_client()
    sign_in = test_sign_in._start(phone)
    test_sign_in._respond(phone, sign_in, test_sign_in._present(holder, pid_issuer, sign_in))
    assert test_sign_in._done(phone, sign_in).status_code == 303  # a wallet session, same account
    answer = test_proofing._respond(docs_app.test_client(), params,
                                    test_proofing._present(holder, pid_issuer, params))
    _shown_code(_landing(phone, answer))
    assert proofing(docs_app, squatted.citizen_id)[0] == "low"
