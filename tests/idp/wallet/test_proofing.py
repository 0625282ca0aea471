"""OpenID4VP: a citizen proves their identity with a PID from a wallet (DCQL, direct_post);
a matching PID from a trusted issuer raises proofing to high. Each attack is refused:
replayed presentation, disclosure removed or altered, untrusted issuer, revoked PID, a
presentation for another request."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from idp.wallet import sd_jwt
from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import enrol, fields
from tests.idp.wallet.pid import STATUS_URI, PidIssuer
from tests.support.wallet import HeldCredential


@pytest.fixture
def citizen(web):
    return enrol(web)


@pytest.fixture
def pid_issuer(docs_app):
    from idp.wallet import get_wallet, trust

    issuer = PidIssuer()
    wallet = get_wallet(docs_app)
    path = wallet.settings.trusted_issuers
    trust.write_anchors(path, trust.load_pem_bundle(issuer.ca_pem))
    wallet.fetch_revocation = issuer.serve  # its CRL, as the PID provider publishes it
    wallet.fetch_status = issuer.serve_status  # and its PIDs' status list
    yield issuer
    del wallet.fetch_revocation
    vars(wallet).pop("fetch_status", None)  # a test may have replaced and removed it
    path.unlink(missing_ok=True)


FOREIGN_CRL = "https://pid.example.es/crl/pid-ca.crl"
FOREIGN_STATUS = "https://pid.example.es/status/1"


@pytest.fixture
def foreign_issuer(docs_app, pid_issuer):
    """Another country's PID provider (C=ES), trusted too, as an EU deployment's trust list
    holds every Member State's PID providers: its revocation data is served as well."""
    from idp.wallet import get_wallet, trust

    issuer = PidIssuer("Proveedor PID España", country="ES", crl_url=FOREIGN_CRL,
                       status_uri=FOREIGN_STATUS)
    wallet = get_wallet(docs_app)
    path = wallet.settings.trusted_issuers
    trust.write_anchors(path, [*trust.read_anchors(path), issuer.ca])
    wallet.fetch_revocation = lambda url, body: (issuer if url == FOREIGN_CRL else pid_issuer).serve(url, body)
    wallet.fetch_status = lambda uri: (issuer if uri == FOREIGN_STATUS else pid_issuer).serve_status(uri)
    return issuer


@pytest.fixture
def revoked(docs_app, pid_issuer):
    """The PID issuer's status list, served to Cédula's fetcher: index 7 is revoked."""
    assert pid_issuer.status_uri == STATUS_URI
    pid_issuer.invalid.add(7)


def _pid_claims(**overrides):
    person = fields()
    claims = {"family_name": person["family_name"], "given_name": person["given_name"],
              "birthdate": person["birthdate"], "personal_administrative_number": person["national_id"],
              "issuing_country": "SV", "nationalities": ["SV"]}
    claims.update(overrides)
    return claims


def _request(web) -> dict[str, str]:
    page = web.get("/account/wallet-proofing").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    shown = web.post("/account/wallet-proofing", data={"csrf_token": token})
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    link = re.search(r'id="request-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert link.startswith("openid4vp://?") and "<svg" in html
    params = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert params["response_mode"] == "direct_post"
    assert params["client_id"] == "redirect_uri:" + params["response_uri"]
    query = json.loads(params["dcql_query"])
    assert [c["path"] for c in query["credentials"][0]["claims"]] == [
        ["family_name"], ["given_name"], ["birthdate"], ["personal_administrative_number"],
        ["issuing_country"]]
    return params


REVEAL = [("family_name",), ("given_name",), ("birthdate",), ("personal_administrative_number",),
          ("issuing_country",)]


def _respond(web, params, presentation, *, state=None):
    return web.post(urlsplit(params["response_uri"]).path, data={
        "vp_token": json.dumps({"pid": [presentation]}), "state": state or params["state"]})


def _present(holder, pid_issuer, params, reveal=REVEAL, status_index=None, **claims):
    """A presentation of a fresh PID; `status_index`: its entry in the status list at STATUS_URI."""
    status = None if status_index is None else {"status_list": {"idx": status_index, "uri": STATUS_URI}}
    pid = HeldCredential(pid_issuer.issue(holder_jwk=holder.key.as_dict(private=False),
                                          claims=_pid_claims(**claims), status=status))
    return holder.present(pid, reveal=reveal, nonce=params["nonce"], audience=params["client_id"])


def test_a_matching_pid_raises_proofing_to_high_and_cannot_be_replayed(
        web, docs_app, citizen, pid_issuer, holder):
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"
    params = _request(web)
    presentation = _present(holder, pid_issuer, params)
    response = _respond(web, params, presentation)
    assert response.status_code == 200, response.get_json()
    redirect = response.get_json()["redirect_uri"]
    assert "response_code=" in redirect
    done = web.get(urlsplit(redirect).path + "?" + urlsplit(redirect).query)
    assert 'data-status="raised"' in done.get_data(as_text=True)
    assert proofing(docs_app, citizen.citizen_id) == ("high", "eudi_wallet")
    from tests.idp.documents.test_revocation_and_log import _log

    assert ("wallet.identity_proven", None, None) in _log(docs_app, citizen.citizen_id)
    # the page that showed the QR code reaches the same outcome with its state
    assert 'data-status="raised"' in web.get(
        f"/account/wallet-proofing/done?state={params['state']}").get_data(as_text=True)

    replay = _respond(web, params, presentation)
    assert replay.status_code == 400 and replay.get_json()["error"] == "invalid_request"


def test_a_pid_of_someone_else_changes_nothing(web, docs_app, citizen, pid_issuer, holder):
    params = _request(web)
    response = _respond(web, params, _present(holder, pid_issuer, params, birthdate="1991-01-01"))
    assert response.status_code == 200
    redirect = urlsplit(response.get_json()["redirect_uri"])
    page = web.get(redirect.path + "?" + redirect.query).get_data(as_text=True)
    assert 'data-status="mismatch"' in page
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"


def test_a_removed_disclosure_is_refused(web, docs_app, citizen, pid_issuer, holder):
    params = _request(web)
    presentation = _present(holder, pid_issuer, params, reveal=REVEAL[:2] + REVEAL[3:])
    response = _respond(web, params, presentation)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_presentation"
    assert "birthdate" in response.get_json()["error_description"]
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"


def test_an_altered_disclosure_is_refused(web, docs_app, citizen, pid_issuer, holder):
    params = _request(web)
    good = sd_jwt.parse(_present(holder, pid_issuer, params))
    forged = [sd_jwt.Disclosure.make("birthdate", "1990-05-17").encoded
              if sd_jwt.Disclosure.parse(d).name == "birthdate" else d for d in good.disclosures]
    pid = HeldCredential(sd_jwt.serialize(good.jws, forged))
    presentation = holder.present(pid, reveal=[], disclosures=forged, nonce=params["nonce"],
                                  audience=params["client_id"])
    response = _respond(web, params, presentation)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_sd_jwt"
    assert "not referenced" in response.get_json()["error_description"]


def test_a_pid_from_an_untrusted_issuer_is_refused(web, docs_app, citizen, pid_issuer, holder):
    params = _request(web)
    response = _respond(web, params, _present(holder, PidIssuer("Falso"), params))
    assert response.status_code == 400 and response.get_json()["error"] == "untrusted_issuer"
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"


def test_a_revoked_pid_is_refused(web, docs_app, citizen, pid_issuer, holder, revoked):
    params = _request(web)
    response = _respond(web, params, _present(holder, pid_issuer, params, status_index=7))
    assert response.status_code == 400 and response.get_json()["error"] == "credential_revoked"
    params = _request(web)
    response = _respond(web, params, _present(holder, pid_issuer, params, status_index=6))
    assert response.status_code == 200, response.get_json()


def test_a_presentation_for_another_request_is_refused(web, docs_app, citizen, pid_issuer, holder):
    first, second = _request(web), _request(web)
    presentation = _present(holder, pid_issuer, first)
    response = _respond(web, second, presentation)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_nonce"


def test_an_unreachable_status_list_is_503_with_retry_after(web, docs_app, citizen, pid_issuer, holder):
    from idp.wallet import get_wallet

    wallet = get_wallet(docs_app)

    def down(uri):
        raise ConnectionError(uri)

    wallet.fetch_status = down
    try:
        params = _request(web)
        response = _respond(web, params, _present(holder, pid_issuer, params, status_index=1))
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert response.get_json()["error"] == "status_unavailable"
        assert proofing(docs_app, citizen.citizen_id)[0] == "low"
    finally:
        del wallet.fetch_status


def _present_with(holder, pid_issuer, params, **overrides):
    pid = HeldCredential(pid_issuer.issue(holder_jwk=holder.key.as_dict(private=False),
                                          claims=_pid_claims(), overrides=overrides))
    return holder.present(pid, reveal=REVEAL, nonce=params["nonce"], audience=params["client_id"])


@pytest.mark.parametrize("overrides", [{"exp": None}, {"exp": 4102444800}],
                         ids=["no_exp", "exp_in_2100"])
def test_a_pid_without_a_bounded_expiry_is_refused(web, docs_app, citizen, pid_issuer, holder,
                                                   overrides):
    """PID rulebook (ARF annex 3.1): a PID carries its expiry (`exp` in SD-JWT VC). Before: a
    PID without `exp` was never expired and raised proofing to high, as did one valid to 2100."""
    params = _request(web)
    response = _respond(web, params, _present_with(holder, pid_issuer, params, **overrides))
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["error"] == "invalid_presentation"
    assert "exp" in body["error_description"]
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"


def _present_status(holder, pid_issuer, params, *, disclosable=(), **overrides):
    pid = HeldCredential(pid_issuer.issue(
        holder_jwk=holder.key.as_dict(private=False), claims=_pid_claims(),
        status={"status_list": {"idx": 7, "uri": STATUS_URI}}, overrides=overrides,
        disclosable=disclosable))
    return holder.present(pid, reveal=REVEAL, nonce=params["nonce"], audience=params["client_id"])


@pytest.mark.parametrize(("disclosable", "overrides"), [(("status",), {}), ((), {"status": None})],
                         ids=["status_disclosure_withheld", "no_status"])
def test_a_revoked_pid_without_its_status_in_the_signed_payload_is_refused(
        web, docs_app, citizen, pid_issuer, holder, revoked, disclosable, overrides):
    """Before: an issuer that made `status` selectively disclosable let the holder withhold
    it (only an anonymous digest is left), and a PID without `status` was never checked:
    the revocation check was skipped and this revoked PID (entry 7) raised proofing to high."""
    params = _request(web)
    response = _respond(web, params, _present_status(holder, pid_issuer, params,
                                                     disclosable=disclosable, **overrides))
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["error"] == "invalid_presentation"
    assert "revocation status cannot be checked" in body["error_description"]
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"
    params = _request(web)  # the same PID, its status shown: refused as revoked
    response = _respond(web, params, _present_status(holder, pid_issuer, params))
    assert response.status_code == 400 and response.get_json()["error"] == "credential_revoked"
