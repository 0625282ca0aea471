"""What the log holds after a whole citizen and agency flow, captured as the operator's log
collector gets it (the JSON formatter, every logger at DEBUG): one JSON object a line, request
records with their request id, and none of the secrets that went through the requests."""

from __future__ import annotations

import io
import json
import logging

from tests.idp.conftest import enrol
from tests.idp.oidc.conftest import bearer, exchange, get_code, oidc_app, register, token_request  # noqa: F401
from tests.support.basic_auth import basic_auth


def test_a_full_flow_logs_no_secret_and_every_request_line_has_its_id(client, oidc_app, register):  # noqa: F811
    from infra.ops.logging import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    levels = (root.level, logging.getLogger("cedula.access").level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger("cedula.access").setLevel(logging.INFO)
    try:
        person = enrol(client)
        agency = register(scope="openid profile email offline_access")
        code, flow = get_code(client, agency, scope="openid profile email offline_access", prompt="consent")
        tokens = exchange(client, agency, code, flow).get_json()
        assert client.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 200
        refreshed = token_request(client, agency, {"grant_type": "refresh_token",
                                                   "refresh_token": tokens["refresh_token"]}).get_json()
        wrong = client.post("/token", data={"grant_type": "client_credentials"},
                            headers=basic_auth(agency.client_id, "WRONG-secret-9f8e7d6c5b4a"))
        assert wrong.status_code == 401
        assert client.post("/token", data={"grant_type": "authorization_code", "code": code,
                                           "redirect_uri": agency.redirect_uri, "code_verifier": flow.verifier},
                           headers=basic_auth(agency.client_id, agency.secret)).status_code == 400  # replayed
        bad_recovery = client.post("/recover", data={"national_id": person.national_id, "code": person.codes[0][::-1]})
        assert bad_recovery.status_code < 500
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        logging.getLogger("cedula.access").setLevel(levels[1])

    text = stream.getvalue()
    lines = text.splitlines()
    assert lines, "the flow logged nothing"
    records = [json.loads(line) for line in lines]  # one JSON object a line
    requests = [r for r in records if r.get("logger") == "cedula.access"]
    assert len(requests) >= 6 and all(len(r.get("request_id", "")) >= 16 for r in requests)
    secrets = {"client secret": agency.secret, "wrong client secret": "WRONG-secret-9f8e7d6c5b4a",
               "authorization code": code, "PKCE verifier": flow.verifier,
               "access token": tokens["access_token"], "ID token": tokens["id_token"],
               "refresh token": tokens["refresh_token"], "new refresh token": refreshed["refresh_token"],
               "national ID": person.national_id, "national ID digits": person.national_id.replace("-", ""),
               "recovery code": person.codes[0], "session cookie": client.get_cookie("cedula_session").value}
    leaked = [name for name, value in secrets.items() if value and value in text]
    assert leaked == [], leaked
