"""A pushed authorization request (RFC 9126) is kept in the ephemeral store until it is used
or expires: only the parameters /authorize reads (idp.oidc.request.PARAMETERS) are kept. Every
other name was kept too, whatever its size (RFC 6749 section 3.1 has them ignored, and
/authorize never stores them): one registered client filled the shared store with a
megabyte a push, for a minute each, as fast as it could push. A request object's other claims
are dropped the same way."""

from __future__ import annotations

import json

from infra.store import get_store
from tests.idp.oidc.conftest import Flow, decide, exchange, redirect_params
from tests.idp.oidc.test_jar import request_claims, request_object
from tests.idp.oidc.test_par import authorize_pushed, push


def _kept(app, request_uri: str) -> dict:
    from idp.oidc import par

    raw = get_store(app).get(par._key(request_uri))
    assert raw is not None
    return json.loads(raw)["params"]


def test_unknown_parameters_are_not_kept(oidc_app, client, register, citizen):
    agency = register()
    flow = Flow()
    answer = push(client, agency, flow, junk="x" * 500_000, **{"ünknown": "y"})
    assert answer.status_code == 201, answer.get_json()
    request_uri = answer.get_json()["request_uri"]
    kept = _kept(oidc_app, request_uri)
    assert set(kept) == {"response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
                         "code_challenge", "code_challenge_method"}, sorted(kept)
    # The request still runs as pushed.
    result = redirect_params(decide(client, authorize_pushed(client, agency.client_id, request_uri)), agency)
    assert result["state"] == flow.state
    assert exchange(client, agency, result["code"], flow).status_code == 200


def test_a_request_objects_other_claims_are_not_kept(oidc_app, client, register, citizen):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    flow = Flow()
    signed = request_object(agency, request_claims(agency, flow, junk="x" * 30_000, sub=agency.client_id))
    form, headers = agency.auth({"client_id": agency.client_id, "request": signed})
    answer = client.post("/par", data=form, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    kept = _kept(oidc_app, answer.get_json()["request_uri"])
    assert "junk" not in kept and "sub" not in kept and kept["state"] == [flow.state]
