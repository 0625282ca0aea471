"""A request object (RFC 9101) whose values hold a lone surrogate (JSON "\\ud800") is an
invalid_request_object, not a 500: `state` came back to the client quoted as UTF-8, which
cannot carry it (quote_plus raised UnicodeEncodeError)."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from joserfc import jws

from tests.idp.oidc.conftest import Agency, Flow, s256


def _signed(agency: Agency, **extra: str) -> str:
    now = int(time.time())
    flow = Flow()
    claims = {"iss": agency.client_id, "aud": "http://localhost", "client_id": agency.client_id, "iat": now,
              "exp": now + 300, "response_type": "code", "redirect_uri": agency.redirect_uri, "scope": "openid",
              "code_challenge": s256(flow.verifier), "code_challenge_method": "S256", **extra}
    return jws.serialize_compact({"alg": "ES256", "kid": "agency-key", "typ": "oauth-authz-req+jwt"},
                                 json.dumps(claims).encode(), agency.key, algorithms=["ES256"])


def test_a_request_object_with_a_lone_surrogate_is_invalid(client, register, citizen):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    for extra in ({"prompt": "none", "state": "s\ud800"}, {"state": "s\ud800"}, {"nonce": "\udfff"}):
        response = client.get("/authorize?" + urlencode({"client_id": agency.client_id,
                                                         "request": _signed(agency, **extra)}))
        assert response.status_code == 400, (extra, response.status_code, response.get_data(as_text=True)[:200])
