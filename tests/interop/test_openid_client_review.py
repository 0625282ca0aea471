"""An agency developer's review with the certified `openid-client` (npm, v6) against a running
`cedula serve`: a signed request object by value (JAR), a public client with PAR, PKCE and
DPoP-bound tokens (UserInfo, refresh with and without the key, revocation), RP-initiated logout,
and client_secret_jwt, which Cédula does not offer and must say so."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey

from tests.idp.conftest import dui
from tests.interop.test_openid_client import NODE_SECONDS, _enrol, _follow, require_openid_client
from tests.support.live import ROOT, prepared, serving
from tests.support.pipes import ended_output, line_within

SCRIPT = Path(__file__).with_name("openid_client_review.mjs")
REDIRECT = "http://localhost:8766/callback"  # openid-client only parses it: nothing listens
SIGNED_OUT = "http://localhost:8766/"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_openid_client()
    deployment = prepared(tmp_path_factory.mktemp("review"))
    data, cedula = deployment.data, deployment.cedula
    key = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    (data / "jwks.json").write_text(json.dumps({"keys": [dict(key.as_dict(private=False), kid="jar-1")]}))
    jar = json.loads(cedula("clients", "register", "--name", "Registro Civil", "--redirect-uri", REDIRECT,
                            "--auth-method", "private_key_jwt", "--jwks", str(data / "jwks.json")))
    public = json.loads(cedula("clients", "register", "--name", "Portal SPA", "--redirect-uri", REDIRECT,
                               "--post-logout-redirect-uri", SIGNED_OUT, "--auth-method", "none",
                               "--scope", "openid", "--scope", "profile", "--scope", "offline_access"))
    secret = json.loads(cedula("clients", "register", "--name", "Hacienda", "--redirect-uri", REDIRECT,
                               "--auth-method", "client_secret_basic"))
    initial = cedula("clients", "initial-token", "--label", "Hacienda").strip()
    with serving(deployment.env, deployment.port, base=deployment.base):
        yield {"base": deployment.base, "clients": {
            "jar": {"client_id": jar["client_id"], "jwk": dict(key.as_dict(private=True), kid="jar-1"),
                    "redirect_uri": REDIRECT},
            "public": {"client_id": public["client_id"], "redirect_uri": REDIRECT,
                       "post_logout_redirect_uri": SIGNED_OUT},
            "secret": {"client_id": secret["client_id"], "secret": secret["client_secret"]}},
            "initial_access_token": initial}


def _ended_at(browser: requests.Session, base: str, url: str) -> str:
    """Follow an end-session URL as the citizen's browser does, to where it leaves Cédula."""
    response = browser.get(url, allow_redirects=False)
    while response.status_code in (302, 303) and response.headers["Location"].startswith(("/", base)):
        response = browser.get(requests.compat.urljoin(base, response.headers["Location"]), allow_redirects=False)
    assert response.status_code in (302, 303), response.text[:500]
    return response.headers["Location"]


def test_openid_client_jar_public_client_with_par_and_dpop_logout_and_client_secret_jwt(server):
    base = server["base"]
    browser = requests.Session()
    _enrol(browser, base)
    process = subprocess.Popen(["node", str(SCRIPT), base + "/", json.dumps(server["clients"])], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = []
    try:
        while len(results) < 3:
            message = json.loads(line_within(process, NODE_SECONDS, "the node relying party"))
            if "authorize" in message:
                reply = _follow(browser, base, message["authorize"], REDIRECT)
            elif "logout" in message:
                reply = _ended_at(browser, base, message["logout"])
            else:
                results.append(message["result"])
                continue
            process.stdin.write(reply + "\n")
            process.stdin.flush()
        assert process.wait(timeout=60) == 0, ended_output(process)
    finally:
        if process.poll() is None:
            process.kill()
    jar, public, secret_jwt = results
    assert jar["sub"] and jar["request_in_url"] is True
    assert public["token_type"].lower() == "dpop" and public["userinfo"]["sub"] == public["sub"]
    assert public["stolen"]["error"] == "invalid_grant"  # a bound refresh token without its key
    assert "DPoP" in public["stolen"]["error_description"]
    assert public["rotated"] is True and public["revoked"]["error"] == "invalid_grant"
    ended = urlsplit(public["ended"])
    assert f"{ended.scheme}://{ended.netloc}{ended.path}" == SIGNED_OUT
    assert parse_qs(ended.query)["state"] == ["hasta-luego"]
    assert secret_jwt["client_secret_jwt"]["error"] == "invalid_client"
    assert "client_secret_jwt" in secret_jwt["client_secret_jwt"]["error_description"]


SIGNED_ONLY = Path(__file__).with_name("openid_client_signed_only.mjs")


def test_openid_client_registers_a_portal_that_sends_only_signed_request_objects(server):
    """openid-client's dynamicClientRegistration with require_signed_request_object true (RFC
    9101): Cédula took it and dropped it (agencydev14), so a plain request for that portal was
    served; now the registration keeps it, the plain URL openid-client builds is sent back with
    invalid_request, and the one buildAuthorizationUrlWithJAR signs is served."""
    base = server["base"]
    key = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    spec = {"initial_access_token": server["initial_access_token"], "redirect_uri": REDIRECT,
            "jwk": dict(key.as_dict(private=True), kid="hacienda-1")}
    done = subprocess.run(["node", str(SIGNED_ONLY), base + "/", json.dumps(spec)], cwd=ROOT, capture_output=True,
                          text=True, timeout=NODE_SECONDS)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])["result"]
    assert result["kept"] is True
    browser = requests.Session()
    _enrol(browser, base, national_id=dui(7310542), email="rosa@example.sv")  # another citizen than the first test's
    plain = browser.get(result["plain"], allow_redirects=False)
    assert plain.status_code in (302, 303) and plain.headers["Location"].startswith(REDIRECT + "?"), plain.text[:300]
    refused = parse_qs(urlsplit(plain.headers["Location"]).query)
    assert refused["error"] == ["invalid_request"]
    assert "require_signed_request_object" in refused["error_description"][0]
    assert parse_qs(urlsplit(_follow(browser, base, result["signed"], REDIRECT)).query)["code"]
