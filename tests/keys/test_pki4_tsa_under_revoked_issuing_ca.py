"""The TSA grants no time-stamp once the issuing CA above its certificate is revoked (RFC 3161,
2.4.2: rejection, failInfo systemFailure, with a text saying why).

Before: it went on granting tokens a verifier refuses (their signer's chain is revoked), and
the archive task (`signing.archive`) would add such a token to every B-LTA document due for
a new archive time-stamp, over a last time-stamp that still verified.
"""

from __future__ import annotations

from keys.tsa import TimeStampResp
from tests.keys.test_services import _ts_query


def test_no_time_stamp_under_a_revoked_issuing_ca(service):
    granted = TimeStampResp.load(service.tsa.respond_der(_ts_query(), now=service.now()))
    assert granted["status"]["status"].native == "granted"
    issuing = service.pki.material().issuing
    status = service.pki.revoke(serial=issuing.serial, reason="cACompromise", now=service.now())
    reply = TimeStampResp.load(service.tsa.respond_der(_ts_query(), now=service.now()))
    assert reply["status"]["status"].native == "rejection"
    assert reply["status"]["fail_info"].native == {"system_failure"}
    assert reply["status"]["status_string"].native == [
        f"the issuing CA certificate {issuing.serial} was revoked at "
        f"{status.revoked_at.isoformat()} (cACompromise): nothing is issued or signed under it, and "
        "its key is not certified again; a new PKI is needed (docs/pki.md, Revocation)"]
    assert reply["time_stamp_token"].native is None
