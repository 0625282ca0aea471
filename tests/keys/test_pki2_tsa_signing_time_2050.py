"""The TSA's signing-time attribute is UTCTime through 2049 and GeneralizedTime from 2050
(RFC 5652, 11.3), as certificate and CRL times already are (RFC 5280, 4.1.2.5).

Before: it was always UTCTime, which cannot hold 2050: from 2050-01-01 every time-stamp request
was answered "rejection, badDataFormat: the request has values out of range" (the encoder's
ValueError), so no document could be sealed at B-T or above.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from keys.tsa import TimeStampResp
from tests.keys.test_services import _ts_query


@pytest.mark.parametrize(("when", "kind"), [
    (datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC), "utc_time"),
    (datetime(2050, 1, 1, 0, 0, 1, tzinfo=UTC), "generalized_time"),
])
def test_the_signing_time_crosses_2050(service, when, kind):
    service.clock = lambda: when
    reply = TimeStampResp.load(service.tsa.respond_der(
        _ts_query(hashlib.sha256(b"x").digest()), now=when))
    assert reply["status"]["status"].native == "granted", reply["status"].native
    signer = reply["time_stamp_token"]["content"]["signer_infos"][0]
    (signing_time,) = [a for a in signer["signed_attrs"] if a["type"].native == "signing_time"]
    value = signing_time["values"][0]
    assert value.name == kind
    assert value.native == when
    tst = reply["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert tst["gen_time"].native == when
