"""A refusal at a protected resource quotes what the request sent (a DPoP proof's htm, typ or
htu) in its WWW-Authenticate error_description. A proof with characters outside latin-1
("GĀT") made a header no WSGI server can send (PEP 3333: header values are latin-1): the
answer broke instead of being a 401. RFC 6750 section 3 allows printable ASCII without `"` and
`\\` there; anything else is written as /uXXXX."""

from __future__ import annotations

import re

import pytest

from tests.idp.oidc.conftest import tokens_for
from tests.support.dpop import DpopKey

USERINFO = "http://localhost/userinfo"
QUOTED = re.compile(r'error_description="([^"]*)"')
RFC_6750 = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]*")


@pytest.mark.parametrize("hostile", [{"htm": "GĀT"}, {"typ": "dpop+jwt\u2028"}, {"htu": USERINFO + "/😀"},
                                     {"htm": "G\x01\"\\T"}])
def test_a_hostile_proof_is_refused_with_a_header_that_can_be_sent(client, register, citizen, hostile):
    token = tokens_for(client, register())["access_token"]
    claims = {key: value for key, value in hostile.items() if key != "typ"}
    proof = DpopKey().proof(claims.pop("htm", "GET"), claims.pop("htu", USERINFO), access_token=token,
                            typ=hostile.get("typ", "dpop+jwt"))
    refused = client.get("/userinfo", headers={"Authorization": f"DPoP {token}", "DPoP": proof})
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_dpop_proof"
    for name, value in refused.headers.items():
        value.encode("latin-1")  # what the WSGI server does with it
        assert "\r" not in value and "\n" not in value, name
    challenge = refused.headers["WWW-Authenticate"]
    described = QUOTED.search(challenge).group(1)
    assert RFC_6750.fullmatch(described), described
    assert "/u" in described or "/x" in described  # the character is named, not dropped
