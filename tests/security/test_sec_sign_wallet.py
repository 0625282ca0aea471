"""Hostile input to the wallet side (OpenID4VP presentations, Token Status Lists): refused
with a clear 4xx, never a 500."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jws
from joserfc.jwk import ECKey

from idp.wallet import status_list, vp_response
from idp.wallet.errors import PresentationRejected
from tests.idp.wallet.pid import PidIssuer

URI = "https://pid.example/status/1"


def _token(issuer: PidIssuer, listed: dict) -> str:
    now = int(time.time())
    payload = {"sub": URI, "iat": now, "exp": now + 3600, "status_list": listed}
    header = {"alg": "ES256", "typ": status_list.TYP, "x5c": [base64.b64encode(
        issuer.certificate.public_bytes(serialization.Encoding.DER)).decode()]}
    pem = issuer.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    return jws.serialize_compact(header, json.dumps(payload).encode(), ECKey.import_key(pem),
                                 algorithms=["ES256"])


def _chain(issuer: PidIssuer):
    from idp.wallet.trust import TrustedChain

    return TrustedChain(issuer.certificate, issuer.ca, (issuer.certificate,))


@pytest.mark.parametrize("bits", ["x", [1], None, {"a": 1}, True, 1.5, "1"])
def test_a_status_list_whose_bits_is_not_an_integer_is_refused(bits):
    """`bits` (draft-ietf-oauth-status-list, 4.2) is the integer 1, 2, 4 or 8; anything else
    made int() raise ValueError or TypeError: a 500 at the direct_post endpoint."""
    issuer = PidIssuer()
    token = _token(issuer, {"bits": bits, "lst": status_list.encode(16, [])})
    with pytest.raises(PresentationRejected) as info:
        vp_response.check_status({"status_list": {"idx": 3, "uri": URI}},
                                 fetch=lambda uri: token, issued_by=_chain(issuer),
                                 iss="https://pid.example", check_issuer=lambda chain: None,
                                 now=datetime.now(UTC))
    assert info.value.status == 400 and "bits" in info.value.description


@pytest.mark.parametrize("idx", [True, False, -1])
def test_a_status_index_that_is_not_a_non_negative_integer_is_refused(idx):
    """`idx` (section 6.2) is a non-negative integer: true is not index 1."""
    issuer = PidIssuer()
    token = _token(issuer, {"bits": 1, "lst": status_list.encode(16, [])})
    with pytest.raises(PresentationRejected) as info:
        vp_response.check_status({"status_list": {"idx": idx, "uri": URI}},
                                 fetch=lambda uri: token, issued_by=_chain(issuer),
                                 iss="https://pid.example", check_issuer=lambda chain: None,
                                 now=datetime.now(UTC))
    assert info.value.status == 400


@pytest.mark.parametrize("claimed", [5, None, "", "S", "SVX", "S1", ["SV"], "ES"])
def test_an_issuing_country_that_is_not_the_providers_alpha2_code_is_refused(claimed):
    """A PID provider speaks only for the country of its signing certificate (C=SV here): an
    issuing_country that is not an ISO 3166-1 alpha-2 code, or another country's, is a 400."""
    from idp.wallet.trust import TrustedChain

    issuer = PidIssuer(country="SV")
    chain = TrustedChain(issuer.certificate, issuer.ca, (issuer.certificate,))
    with pytest.raises(PresentationRejected) as info:
        vp_response.check_issuing_country(chain, claimed)
    assert info.value.status == 400 and info.value.error == "issuer_country_mismatch"
    assert vp_response.check_issuing_country(chain, "sV") == "SV"
