"""Signing in with a wallet (idp/wallet/sign_in.py): a PID whose national ID is a citizen's,
with their names and birth date, signs the browser that asked in at level high. An unknown
PID offers enrolment; other details, a closed account, another browser, a replayed or
misdirected presentation, an untrusted or revoked issuer get no session."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import dui, enrol
from tests.idp.oidc.conftest import oidc_app, register  # noqa: F401 - fixtures
from tests.idp.wallet.pid import PidIssuer
from tests.idp.wallet.test_proofing import (  # noqa: F401 - fixtures
    REVEAL,
    STATUS_URI,
    _pid_claims,
    foreign_issuer,
    pid_issuer,
    revoked,
)
from tests.support.wallet import HeldCredential


def _start(browser, next_: str | None = None) -> dict[str, str]:
    """The sign-in page's wallet button: the request as the same-device link's parameters."""
    page = browser.get("/login" + (f"?next={next_}" if next_ else "")).get_data(as_text=True)
    assert 'id="wallet-signin"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token} | ({"next": next_} if next_ else {})
    shown = browser.post("/login/wallet", data=form)
    assert shown.status_code == 200, shown.get_data(as_text=True)[:300]
    html = shown.get_data(as_text=True)
    assert "<svg" in html  # the QR code for a wallet on another device
    link = re.search(r'id="request-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    params = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert params["response_mode"] == "direct_post"
    claims = [c["path"] for c in json.loads(params["dcql_query"])["credentials"][0]["claims"]]
    assert ["personal_administrative_number"] in claims and ["birthdate"] in claims
    return params


def _present(holder, issuer, params, *, nonce=None, audience=None, status=None, **claims):
    pid = HeldCredential(issuer.issue(holder_jwk=holder.key.as_dict(private=False),
                                      claims=_pid_claims(**claims),
                                      **({"status": status} if status else {})))
    return holder.present(pid, reveal=REVEAL, nonce=nonce or params["nonce"],
                          audience=audience or params["client_id"])


_REDIRECTS: dict[str, str] = {}


def _respond(client, params, presentation):
    answer = client.post("/wallet/presentations/response", data={
        "vp_token": json.dumps({"pid": [presentation]}), "state": params["state"]})
    if answer.status_code == 200:
        _REDIRECTS[params["state"]] = answer.get_json()["redirect_uri"]
    return answer


def _done(browser, params):
    """The wallet's redirect opened in `browser` (the same device), or, without an answer,
    the page that showed the QR code continuing with its state."""
    redirect = _REDIRECTS.get(params["state"])
    if redirect is None:
        return browser.get(f"/login/wallet/done?state={params['state']}")
    target = urlsplit(redirect)
    return browser.get(target.path + "?" + target.query)


def _sessions(app, citizen_id):
    from idp.sessions import sessions_for

    with app.test_request_context():
        return sessions_for(citizen_id)


def _log(app, citizen_id):
    from tests.idp.documents.test_revocation_and_log import _log as entries

    return [event for event, _, _ in entries(app, citizen_id)]


@pytest.fixture
def citizen(docs_app):
    """Enrolled in another browser: the one signing in with the wallet starts signed out."""
    return enrol(docs_app.test_client())


def test_a_matching_pid_signs_in_at_level_high_and_continues(docs_app, citizen, pid_issuer, holder):
    browser = docs_app.test_client()
    params = _start(browser, next_="/account/details")
    answer = _respond(docs_app.test_client(), params, _present(holder, pid_issuer, params))
    assert answer.status_code == 200, answer.get_json()
    assert "/login/wallet/done?response_code=" in answer.get_json()["redirect_uri"]
    done = _done(browser, params)
    assert done.status_code == 303 and done.headers["Location"] == "/account/details"
    assert browser.get("/account").status_code == 200

    sessions = [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr]
    assert len(sessions) == 1 and sessions[0].credential_id is None
    from idp.assurance.services import assess
    from infra.db import get_db

    with get_db(docs_app).read() as db:
        level = assess(db, citizen_id=citizen.citizen_id, credential_id=None, amr=sessions[0].amr)
    assert (level.level, level.proofing, level.authenticator) == ("high", "high", "high")
    # the PID proofs this sign-in; the account's stored proofing is not raised by it
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"
    assert "wallet.signed_in" in _log(docs_app, citizen.citizen_id)
    # the result is used once
    assert _done(browser, params).status_code == 404
    # in the citizen's sign-in history, as a wallet sign-in
    assert 'data-kind="wallet"' in browser.get("/account").get_data(as_text=True)
    # a normal session: the sessions page names the method, and signing out ends it
    page = browser.get("/account/sessions").get_data(as_text=True)
    assert page.count('data-method="wallet"') == 1
    from tests.idp.conftest import csrf

    browser.post("/logout", data={"csrf_token": csrf(browser, "/account/sessions")})
    assert not [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr]


def test_an_unknown_pid_gets_no_session_and_is_offered_enrolment(docs_app, pid_issuer, holder):
    browser = docs_app.test_client()
    params = _start(browser)
    assert _respond(browser, params, _present(
        holder, pid_issuer, params, personal_administrative_number=dui(7654321))).status_code == 200
    page = _done(browser, params)
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and 'data-status="unknown"' in html
    assert 'id="sign-in-enrol" href="/enrol/wallet"' in html
    assert browser.get("/account").status_code != 200


def test_a_pid_with_other_names_is_refused_and_audited(docs_app, citizen, pid_issuer, holder):
    browser = docs_app.test_client()
    params = _start(browser)
    assert _respond(browser, params, _present(holder, pid_issuer, params,
                                              given_name="Otra Persona")).status_code == 200
    page = _done(browser, params)
    assert page.status_code == 403 and 'data-status="mismatch"' in page.get_data(as_text=True)
    assert browser.get("/account").status_code != 200
    assert "wallet.sign_in_refused" in _log(docs_app, citizen.citizen_id)
    assert "wallet.signed_in" not in _log(docs_app, citizen.citizen_id)
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"


def test_another_browser_cannot_use_the_result(docs_app, citizen, pid_issuer, holder):
    browser, attacker = docs_app.test_client(), docs_app.test_client()
    params = _start(browser)
    assert _respond(attacker, params, _present(holder, pid_issuer, params)).status_code == 200
    assert attacker.get(f"/login/wallet/done?state={params['state']}").status_code == 404
    shown = _done(attacker, params)  # the wallet's redirect: only the code to type elsewhere
    assert shown.status_code == 200 and 'id="handover-code"' in shown.get_data(as_text=True)
    assert attacker.get("/account").status_code != 200
    # the browser that asked still can
    assert _done(browser, params).status_code == 303


def test_a_replayed_presentation_is_refused(docs_app, citizen, pid_issuer, holder):
    browser = docs_app.test_client()
    params = _start(browser)
    presentation = _present(holder, pid_issuer, params)
    assert _respond(browser, params, presentation).status_code == 200
    replay = _respond(browser, params, presentation)
    assert replay.status_code == 400 and replay.get_json()["error"] == "invalid_request"


@pytest.mark.parametrize("wrong", ["nonce", "audience"])
def test_a_wrong_nonce_or_audience_is_refused(docs_app, citizen, pid_issuer, holder, wrong):
    browser = docs_app.test_client()
    params = _start(browser)
    bad = {"nonce": "n" * 43} if wrong == "nonce" else {"audience": "redirect_uri:https://rp.example/cb"}
    answer = _respond(browser, params, _present(holder, pid_issuer, params, **bad))
    assert answer.status_code == 400
    refusal = answer.get_json()
    if wrong == "nonce":
        assert refusal["error"] == "invalid_nonce", refusal
    else:
        assert refusal["error"] == "invalid_sd_jwt" and "aud must be" in refusal["error_description"]
    assert _done(browser, params).status_code == 404
    assert browser.get("/account").status_code != 200


def test_an_untrusted_issuer_is_refused(docs_app, citizen, pid_issuer, holder):
    browser = docs_app.test_client()
    params = _start(browser)
    answer = _respond(browser, params, _present(holder, PidIssuer("Falso"), params))
    assert answer.status_code == 400 and answer.get_json()["error"] == "untrusted_issuer"
    assert _done(browser, params).status_code == 404


def test_a_trusted_provider_of_another_country_cannot_sign_in_as_a_citizen_here(
        docs_app, citizen, pid_issuer, foreign_issuer, holder):
    """Every PID provider on the trust list is trusted for its own country only: Spain's
    provider saying issuing_country SV with a Salvadoran citizen's number (the impostor) is
    refused at the response, before any session, and logged; its own PIDs (ES) are verified
    and are foreign here."""
    browser = docs_app.test_client()
    params = _start(browser)
    answer = _respond(browser, params, _present(holder, foreign_issuer, params))
    refusal = answer.get_json()
    assert answer.status_code == 400 and refusal["error"] == "issuer_country_mismatch", refusal
    assert "ES" in refusal["error_description"] and "SV" in refusal["error_description"]
    assert _done(browser, params).status_code == 404
    assert browser.get("/account").status_code != 200
    assert not [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr]
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"

    params = _start(browser)
    answer = _respond(browser, params, _present(holder, foreign_issuer, params,
                                                issuing_country="es"))
    assert answer.status_code == 200, answer.get_json()
    page = _done(browser, params)
    assert page.status_code == 403 and 'data-status="foreign"' in page.get_data(as_text=True)

    # the claim is compared without case (ISO 3166-1 alpha-2): "sv" is SV
    params = _start(browser)
    answer = _respond(browser, params, _present(holder, pid_issuer, params, issuing_country="sv"))
    assert answer.status_code == 200, answer.get_json()
    assert _done(browser, params).status_code == 303


def test_a_provider_certificate_without_a_country_is_refused(docs_app, citizen, pid_issuer, holder):
    from idp.wallet import get_wallet, trust

    crl = "https://pid.example.net/crl/pid-ca.crl"
    nameless = PidIssuer("PID Provider sin país", country=None, crl_url=crl)
    wallet = get_wallet(docs_app)
    trust.write_anchors(wallet.settings.trusted_issuers,
                        [*trust.read_anchors(wallet.settings.trusted_issuers), nameless.ca])
    wallet.fetch_revocation = lambda url, body: (nameless if url == crl else pid_issuer).serve(url, body)
    browser = docs_app.test_client()
    params = _start(browser)
    answer = _respond(browser, params, _present(holder, nameless, params))
    refusal = answer.get_json()
    assert answer.status_code == 400 and refusal["error"] == "issuer_country_mismatch", refusal
    assert "countryName" in refusal["error_description"]
    assert _done(browser, params).status_code == 404


def test_a_revoked_pid_is_refused(docs_app, citizen, pid_issuer, holder, revoked):
    browser = docs_app.test_client()
    params = _start(browser)
    answer = _respond(browser, params, _present(
        holder, pid_issuer, params, status={"status_list": {"idx": 7, "uri": STATUS_URI}}))
    assert answer.status_code == 400 and answer.get_json()["error"] == "credential_revoked"
    assert _done(browser, params).status_code == 404


def test_a_pid_whose_status_is_a_disclosure_is_refused(docs_app, citizen, pid_issuer, holder, revoked):
    """A provider that makes `status` selectively disclosable (SD-JWT VC draft 3.2.2.2: MUST
    NOT) lets its status go unchecked: the revoked PID below signed the citizen in."""
    browser = docs_app.test_client()
    params = _start(browser)
    pid = HeldCredential(pid_issuer.issue(
        holder_jwk=holder.key.as_dict(private=False), claims=_pid_claims(),
        status={"status_list": {"idx": 7, "uri": STATUS_URI}}, disclosable=("status",)))
    presentation = holder.present(pid, reveal=[*REVEAL, ("status",)], nonce=params["nonce"],
                                  audience=params["client_id"])
    answer = _respond(browser, params, presentation)
    refusal = answer.get_json()
    assert answer.status_code == 400 and refusal["error"] == "invalid_sd_jwt", refusal
    assert "status" in refusal["error_description"]
    assert _done(browser, params).status_code == 404
    assert browser.get("/account").status_code != 200


def test_a_revoked_issuer_certificate_is_refused(docs_app, citizen, pid_issuer, holder):
    pid_issuer.revoke()
    browser = docs_app.test_client()
    params = _start(browser)
    answer = _respond(browser, params, _present(holder, pid_issuer, params))
    assert answer.status_code == 400 and answer.get_json()["error"] == "issuer_revoked", answer.get_json()
    assert _done(browser, params).status_code == 404


def test_a_frozen_account_is_not_signed_in(docs_app, citizen, pid_issuer, holder):
    from idp.assurance.reclaim import FROZEN_PREFIX
    from idp.citizens.models import Citizen
    from infra.db import get_db

    with get_db(docs_app).transaction() as db:
        row = db.get(Citizen, __import__("uuid").UUID(citizen.citizen_id))
        row.national_id = FROZEN_PREFIX + "x" * 20
    browser = docs_app.test_client()
    params = _start(browser)
    assert _respond(browser, params, _present(holder, pid_issuer, params)).status_code == 200
    page = _done(browser, params)
    assert page.status_code in (403, 404)
    assert browser.get("/account").status_code != 200
    assert not [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr]


def test_the_button_is_hidden_without_a_trusted_issuer_or_when_off(docs_app):
    from dataclasses import replace

    from idp.wallet import get_wallet

    assert 'id="wallet-signin"' not in docs_app.test_client().get("/login").get_data(as_text=True)
    assert docs_app.test_client().get("/login/wallet").status_code == 404
    wallet = get_wallet(docs_app)
    kept = wallet.settings
    wallet.settings = replace(kept, sign_in=False)
    try:
        assert not wallet.sign_in_offered()
    finally:
        wallet.settings = kept


def test_off_even_with_a_trusted_issuer(docs_app, pid_issuer):
    from dataclasses import replace

    from idp.wallet import get_wallet

    wallet = get_wallet(docs_app)
    assert wallet.sign_in_offered()
    kept = wallet.settings
    wallet.settings = replace(kept, sign_in=False)
    try:
        assert 'id="wallet-signin"' not in docs_app.test_client().get("/login").get_data(as_text=True)
        assert docs_app.test_client().get("/login/wallet").status_code == 404
    finally:
        wallet.settings = kept


def test_an_unknown_state_is_a_plain_404(docs_app):
    page = docs_app.test_client().get("/login/wallet/done?state=" + "s" * 43)
    assert page.status_code == 404 and 'data-status="expired"' in page.get_data(as_text=True)


def test_an_agency_sign_in_continues_and_its_id_token_says_high_and_wallet(
        docs_app, citizen, pid_issuer, holder, register):
    from urllib.parse import unquote

    from tests.idp.oidc.conftest import Flow, authorize_url, claims_of, exchange, get_code

    agency = register(max_assurance_level="high", security_profile="oidc")
    browser = docs_app.test_client()
    flow = Flow()
    asked = browser.get(authorize_url(agency, flow, acr_values="http://eidas.europa.eu/LoA/high"))
    assert asked.status_code in (302, 303)
    login = urlsplit(asked.headers["Location"])
    assert login.path == "/login"
    pending = unquote(parse_qs(login.query)["next"][0])
    params = _start(browser, next_=pending)
    assert _respond(browser, params, _present(holder, pid_issuer, params)).status_code == 200
    done = _done(browser, params)
    assert done.status_code == 303 and done.headers["Location"] == pending
    code, _ = get_code(browser, agency, flow, acr_values="http://eidas.europa.eu/LoA/high")
    tokens = exchange(browser, agency, code, flow).get_json()
    id_token = claims_of(tokens["id_token"])
    assert id_token["acr"] == "http://eidas.europa.eu/LoA/high"
    assert id_token["amr"] == ["pop", "hwk", "user", "mfa"]


def test_a_wallet_sign_in_does_not_lend_its_pid_to_the_accounts_passkeys(docs_app, pid_issuer, holder):
    """Identity squatting (issue 12): whoever enrolled the person's details first holds the
    account and its passkeys. When the genuine person then signs in with their PID, that
    proves who is at the browser now, not who holds the account's passkeys: the squatter's
    own passkey sign-ins must stay at the account's proofing (low), never sign in the
    person's name at substantial. The wallet session itself is at level high."""
    from idp.assurance.services import assess
    from infra.db import get_db
    from tests.idp.conftest import sign_in

    account = enrol(docs_app.test_client())  # the PID's person's details, typed by someone else

    person = docs_app.test_client()
    params = _start(person)
    assert _respond(person, params, _present(holder, pid_issuer, params)).status_code == 200
    assert _done(person, params).status_code == 303
    wallet = [s for s in _sessions(docs_app, account.citizen_id) if "pop" in s.amr]
    with get_db(docs_app).read() as db:
        found = assess(db, citizen_id=account.citizen_id, credential_id=None, amr=wallet[0].amr)
    assert (found.level, found.proofing) == ("high", "high")

    assert proofing(docs_app, account.citizen_id)[0] == "low"
    squatter = docs_app.test_client()
    assert sign_in(squatter, account.key).status_code == 200
    assert squatter.get("/account/sign").status_code == 403  # below the signing minimum
    assert "wallet.signed_in" in _log(docs_app, account.citizen_id)


def test_a_wallet_session_cannot_raise_the_accounts_proofing_with_its_pid(docs_app, pid_issuer, holder):
    """The same squatted account: the person signed in with their wallet cannot make the PID
    the account's proofing from /account/wallet-proofing either (which every passkey of the
    account, the squatter's too, would inherit); that page needs a passkey of the account
    (a re-check first), as proofing by a register code does."""
    from tests.idp.conftest import csrf

    account = enrol(docs_app.test_client())
    person = docs_app.test_client()
    params = _start(person)
    assert _respond(person, params, _present(holder, pid_issuer, params)).status_code == 200
    assert _done(person, params).status_code == 303

    page = person.get("/account/wallet-proofing")
    assert page.status_code == 303
    assert page.headers["Location"] == "/account/reauth?next=/account/wallet-proofing"
    asked = person.post("/account/wallet-proofing", data={"csrf_token": csrf(person, "/account")})
    assert asked.status_code == 303 and asked.headers["Location"].startswith("/account/reauth?")
    assert 'id="request-link"' not in asked.get_data(as_text=True)
    assert proofing(docs_app, account.citizen_id)[0] == "low"


def test_a_pid_shared_for_enrolment_does_not_proof_a_squatted_account_signed_in_by_wallet(
        docs_app, pid_issuer, holder):
    """The person shares their PID to enrol (their number is free), someone enrols the number
    meanwhile, and the person then signs in with the wallet in the same browser (into that
    account): finishing the wallet enrolment must not make the PID the account's proofing,
    which the other person's passkey would inherit. Only a passkey session finishes it."""
    from tests.idp.wallet.test_enrolment import _share
    from tests.idp.wallet.test_enrolment import _start as start_enrolment

    person = docs_app.test_client()
    enrolment = start_enrolment(person)
    assert _share(person, holder, pid_issuer, enrolment).status_code == 200  # "ready"
    account = enrol(docs_app.test_client())  # the same details, enrolled by someone else
    params = _start(person)
    assert _respond(person, params, _present(holder, pid_issuer, params)).status_code == 200
    assert _done(person, params).status_code == 303

    complete = person.get(f"/enrol/wallet/complete?state={enrolment['state']}")
    assert 'data-status="raised"' not in complete.get_data(as_text=True)
    assert complete.status_code in (303, 404)
    assert proofing(docs_app, account.citizen_id)[0] == "low"


def test_signing_in_a_wallet_session_asks_for_the_accounts_proofing_first(docs_app, citizen,
                                                                          pid_issuer, holder):
    """A signature is approved with one of the account's passkeys, whose sign-in stands on the
    account's stored proofing (the wallet's PID proofs the wallet sign-in only): an account not
    proofed yet is told so before a file is chosen (the way: /account/assurance), rather than
    refused after the upload and the passkey confirmation."""
    browser = docs_app.test_client()
    params = _start(browser)
    assert _respond(browser, params, _present(holder, pid_issuer, params)).status_code == 200
    assert _done(browser, params).status_code == 303
    page = browser.get("/account/sign")
    html = page.get_data(as_text=True)
    assert page.status_code == 403 and 'data-reason="identity"' in html
    assert 'id="raise-level"' in html


def test_every_request_gets_a_new_browser_binding(docs_app, pid_issuer):
    """The binding cookie is minted anew for every request: a value planted in the browser
    beforehand (a cookie tossed from a sibling host, a shared machine) is never kept, so whoever
    planted it cannot collect the result."""
    from idp.wallet import sign_in

    browser = docs_app.test_client()
    browser.set_cookie(sign_in.COOKIE, "planted-by-someone-else", path=sign_in.COOKIE_PATH)
    _start(browser)
    first = browser.get_cookie(sign_in.COOKIE, path=sign_in.COOKIE_PATH).value
    assert first != "planted-by-someone-else"
    _start(browser)
    assert browser.get_cookie(sign_in.COOKIE, path=sign_in.COOKIE_PATH).value != first


def test_every_enrolment_request_gets_a_new_browser_binding(docs_app, pid_issuer):
    from idp.wallet import enrolment

    browser = docs_app.test_client()
    browser.set_cookie(enrolment.COOKIE, "planted-by-someone-else", path="/enrol/wallet")
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      browser.get("/enrol/wallet").get_data(as_text=True)).group(1)
    assert browser.post("/enrol/wallet", data={"csrf_token": token}).status_code == 200
    assert browser.get_cookie(enrolment.COOKIE, path="/enrol/wallet").value != "planted-by-someone-else"


def test_a_wallet_sign_in_as_another_citizen_does_not_replace_the_session(docs_app, citizen, pid_issuer,
                                                                          holder):
    """Another citizen signed in to this browser while the wallet request was open (in another
    tab, or a cross-device presentation handed over later): the PID's citizen is not signed in
    over that session (idp.sessions), and nothing is audited."""
    from tests.idp.conftest import session_cookie

    browser = docs_app.test_client()
    params = _start(browser)
    other = enrol(browser, national_id=dui(12345678), email="otro@example.sv")
    before = session_cookie(browser)
    assert _respond(browser, params, _present(holder, pid_issuer, params)).status_code == 200
    refused = _done(browser, params)
    assert refused.status_code == 409 and "cierre la sesión" in refused.get_data(as_text=True)
    assert session_cookie(browser) == before
    assert not [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr]
    assert [s.citizen_id for s in _sessions(docs_app, other.citizen_id)] == [other.citizen_id]
    assert "wallet.signed_in" not in _log(docs_app, citizen.citizen_id)


def test_a_status_list_signed_by_another_trusted_provider_is_refused(
        docs_app, citizen, pid_issuer, foreign_issuer, holder):
    """Both providers are trusted; only the PID's own provider may say whether it is revoked."""
    from idp.wallet import get_wallet
    from tests.idp.wallet.pid import status_list_token

    wallet = get_wallet(docs_app)
    token = status_list_token(foreign_issuer, uri=STATUS_URI, invalid=[])
    wallet.fetch_status = lambda uri: token
    try:
        browser = docs_app.test_client()
        params = _start(browser)
        answer = _respond(browser, params, _present(
            holder, pid_issuer, params, status={"status_list": {"idx": 7, "uri": STATUS_URI}}))
    finally:
        del wallet.fetch_status
    refusal = answer.get_json()
    assert answer.status_code == 400 and refusal["error"] == "invalid_presentation", refusal
    assert "not signed by the credential's issuer" in refusal["error_description"]
    assert _done(browser, params).status_code == 404
