"""Interoperability: the certified `openid-client` (npm, v6) as the agency's relying party
against a running `cedula serve`, with private_key_jwt and with a client secret.

The citizen's part (passkey enrolment, the decision page) is played in Python with the
software authenticator; URLs pass between Python and node over stdin/stdout.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey

from tests.idp.conftest import dui, fields
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.live import ROOT, prepared, serving
from tests.support.parts import missing, require_executable
from tests.support.pipes import ended_output, line_within

SCRIPT = Path(__file__).with_name("openid_client_rp.mjs")
NODE_SECONDS = 180  # a cap, not a wait: each message of the relying party comes in seconds


APIS = ("https://api.hacienda.example.gov/declaraciones", "https://api.registro.example.gov/partidas")


def require_openid_client() -> None:
    """Node.js and the npm package `openid-client`, or the test is skipped (or fails, in CI)."""
    require_executable("node", "install Node.js 20+")
    if not (ROOT / "node_modules" / "openid-client" / "package.json").exists():
        missing("node_modules/openid-client is not installed (npm ci)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_openid_client()
    deployment = prepared(tmp_path_factory.mktemp("interop"))
    data, env, port, cedula = deployment.data, deployment.env, deployment.port, deployment.cedula
    key = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    private = dict(key.as_dict(private=True), kid="rp-key-1")
    public = dict(key.as_dict(private=False), kid="rp-key-1")
    (data / "jwks.json").write_text(json.dumps({"keys": [public]}))
    redirect = "http://localhost:8765/callback"
    jwt_client = json.loads(cedula("clients", "register", "--name", "Registro Civil", "--redirect-uri", redirect,
                                   "--auth-method", "private_key_jwt", "--jwks", str(data / "jwks.json")))
    secret_client = json.loads(cedula("clients", "register", "--name", "Hacienda", "--redirect-uri", redirect,
                                      "--auth-method", "client_secret_basic"))
    fapi_client = json.loads(cedula("clients", "register", "--name", "Registro Nacional", "--redirect-uri",
                                    "https://localhost:8765/callback", "--auth-method", "private_key_jwt",
                                    "--jwks", str(data / "jwks.json"), "--scope", "openid", "--scope", "profile",
                                    "--scope", "national_id", "--scope", "offline_access"))
    assert fapi_client["security_profile"] == "fapi2"
    for api in APIS:  # RFC 8707: two agency APIs the FAPI client may ask tokens for
        cedula("resources", "register", api, "--name", api, "--scope", "openid", "--scope", "profile",
               "--owner", fapi_client["client_id"], "--client", fapi_client["client_id"])
    base = deployment.base
    with serving(env, port, base=base):
        yield {"base": base, "redirect": redirect,
               "clients": [{"client_id": jwt_client["client_id"], "method": "private_key_jwt", "jwk": private,
                            "redirect_uri": redirect},
                           {"client_id": secret_client["client_id"], "method": "client_secret_basic",
                            "secret": secret_client["client_secret"], "redirect_uri": redirect}],
               "fapi": {"client_id": fapi_client["client_id"], "jwk": private,
                        "redirect_uri": "https://localhost:8765/callback", "resources": list(APIS)}}


def _enrol(browser: requests.Session, base: str, **overrides: str) -> SoftwareAuthenticator:
    key = SoftwareAuthenticator(origin=base, rp_id="localhost")
    options = browser.post(f"{base}/webauthn/registration/options", json=fields(**overrides)).json()
    response = browser.post(f"{base}/webauthn/registration/verify", json=key.register(options))
    assert response.status_code == 200, response.text
    browser.get(f"{base}/account/recovery-codes")
    return key


def _follow(browser: requests.Session, base: str, url: str, redirect: str) -> str:
    """The citizen's browser: follow the authorization request, allow, return the callback URL."""
    response = browser.get(url, allow_redirects=False)
    while response.status_code in (302, 303) and not response.headers["Location"].startswith(redirect):
        response = browser.get(requests.compat.urljoin(base, response.headers["Location"]), allow_redirects=False)
    if response.status_code == 200:
        html = response.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        interaction = re.search(r'name="interaction" value="([^"]+)"', html).group(1)
        response = browser.post(f"{base}/authorize/decision", allow_redirects=False,
                                data={"csrf_token": token, "interaction": interaction, "decision": "allow",
                                      # as a browser does: the ticked optional claims are sent
                                      "claim": re.findall(r'name="claim" value="([^"]+)" checked', html)})
    assert response.status_code in (302, 303), response.text[:500]
    location = response.headers["Location"]
    assert location.startswith(redirect + "?"), location
    return location


class RelyingParty:
    """A node relying party script, driven over stdin/stdout: for each flow it prints
    `{"authorize": url}`, reads the callback URL the browser reached, and prints `{"result": ...}`;
    it must then exit 0. Killed if the test fails first."""

    def __init__(self, script: Path, *args: str) -> None:
        self.process = subprocess.Popen(["node", str(script), *args], cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def _message(self) -> dict:
        return json.loads(line_within(self.process, NODE_SECONDS, "the node relying party"))

    def authorize_url(self) -> str:
        return self._message()["authorize"]

    def result_for(self, callback: str) -> dict:
        self.process.stdin.write(callback + "\n")
        self.process.stdin.flush()
        return self._message()["result"]

    def __enter__(self) -> RelyingParty:
        return self

    def __exit__(self, kind, error, trace) -> None:
        try:
            if kind is None:
                assert self.process.wait(timeout=60) == 0, ended_output(self.process)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def test_openid_client_code_flow_userinfo_refresh_introspection_revocation(server):
    base = server["base"]
    browser = requests.Session()
    _enrol(browser, base)
    results = []
    with RelyingParty(SCRIPT, base + "/", json.dumps(server["clients"])) as rp:
        for _ in server["clients"]:
            url = rp.authorize_url()
            results.append(rp.result_for(_follow(browser, base, url, server["redirect"])))
    subs = set()
    for result in results:
        assert result["userinfo"]["sub"] == result["sub"] == result["refreshed_sub"]
        assert result["userinfo"]["given_name"] == "Ana María"
        assert result["acr"] == "http://eidas.europa.eu/LoA/low" and result["amr"] == ["hwk", "user", "mfa"]
        assert result["rotated"] is True
        assert result["introspected"]["active"] is True
        assert result["introspected"]["client_id"] == result["client_id"]
        assert result["after_revocation"]["active"] is False
        assert result["reuse"] == "invalid_grant"
        subs.add(result["sub"])
    assert len(subs) == 2  # clients on loopback are each a pairwise sector of their own (issue 14)


FAPI_SCRIPT = Path(__file__).with_name("openid_client_fapi.mjs")
FAPI_REDIRECT = "https://localhost:8765/callback"  # openid-client only parses it: nothing listens


def test_openid_client_fapi2_par_dpop_private_key_jwt_and_jarm(server):
    """A FAPI 2.0 client (national_id: the profile by default): PAR, DPoP-bound tokens,
    private_key_jwt, code and refresh; then the same with JARM; then with a signed request object
    (JAR) in the pushed request naming two APIs (its `resource` claim an array), and a token for each."""
    base = server["base"]
    fapi_client = server["fapi"]
    browser = requests.Session()
    _enrol(browser, base, national_id=dui(7310542), email="rosa@example.sv")
    results = []
    with RelyingParty(FAPI_SCRIPT, base + "/", json.dumps(fapi_client)) as rp:
        for mode in ("query", "jwt", "jar"):
            url = rp.authorize_url()
            assert "request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A" in url and "scope=" not in url
            callback = _follow(browser, base, url, FAPI_REDIRECT)
            assert ("response=" in callback) == (mode == "jwt"), callback
            results.append(rp.result_for(callback))
    def access_claims(token: str) -> dict:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    jar = results.pop()
    assert access_claims(jar["access_token"])["aud"] == APIS[1]
    assert access_claims(jar["refreshed_access_token"])["aud"] == APIS[0]
    assert jar["refreshed_sub"] == jar["sub"] and jar["refreshed_type"].lower() == "dpop"
    for result in results:
        assert result["token_type"].lower() == "dpop" and result["refreshed_type"].lower() == "dpop"
        claims = access_claims(result["access_token"])
        assert len(claims["cnf"]["jkt"]) == 43
        assert result["userinfo"]["sub"] == result["sub"] == result["refreshed_sub"]
        assert result["userinfo"]["national_id"]
        assert result["without_dpop"] == "invalid_token"
