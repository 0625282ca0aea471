"""The demo portal checks who answered before it redeems a code (RFC 9207): Cédula advertises
`authorization_response_iss_parameter_supported`, so an answer without `iss`, or with another
issuer's, is refused before the code goes to any token endpoint (a mix-up attack)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from authlib.integrations.base_client import OAuthError

from clients.portal.app import create_portal
from clients.portal.component import get_portal
from clients.portal.config import PortalConfig

ISSUER = "http://cedula.test"
BASE = "https://registro.example.gov"


@pytest.fixture
def portal(monkeypatch):
    app = create_portal(PortalConfig(name="Registro Civil", base_url=BASE, issuer=ISSUER, client_id="registro",
                                     client_secret="secret"))
    provider = get_portal(app).provider
    provider.server_metadata.update({
        "_loaded_at": time.time(), "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks.json",
        "userinfo_endpoint": f"{ISSUER}/userinfo", "end_session_endpoint": f"{ISSUER}/end-session",
        "authorization_response_iss_parameter_supported": True})
    redeemed: list[dict] = []

    def fetch_access_token(**params):
        redeemed.append(params)
        raise OAuthError(error="invalid_grant", description="not reached in these tests")

    monkeypatch.setattr(provider, "fetch_access_token", fetch_access_token)
    app.config["redeemed"] = redeemed
    return app


def _callback(portal, **answer: str):
    browser = portal.test_client()
    started = browser.get("/login")
    assert started.status_code == 302
    state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
    return browser.get("/callback?" + urlencode({"code": "code-1", "state": state, **answer}))


@pytest.mark.parametrize("answer", [{"iss": "https://attacker.example"}, {}, {"iss": f"{ISSUER}/"}],
                         ids=["another issuer", "no iss", "not the exact issuer"])
def test_an_answer_from_another_issuer_is_refused_before_the_code_is_redeemed(portal, answer):
    response = _callback(portal, **answer)
    assert response.status_code == 400
    assert portal.config["redeemed"] == []


def test_an_answer_from_cedula_redeems_its_code(portal):
    _callback(portal, iss=ISSUER)
    assert [params["code"] for params in portal.config["redeemed"]] == ["code-1"]
