"""A certificate held, released and held again (RFC 5280, 5.3.1 certificateHold;
`signing.verify.holds.periods`).

Only the newest hold's date was used: a signature time-stamped within the FIRST hold, later
lifted by the CA's next CRL and then placed again, passed (it was proven before the newest
hold's date). Each hold is a period of its own, and the signature is judged against all.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.signing.verify import samples
from tests.signing.verify.test_revocation_matching import (
    _after,
    _crl,
    _hold,
    _ocsp,
    _verdict,
    _verifier,
)


def _held_released_held(pki, *, first_placed, first_issued, released, second_placed,
                        second_lifted: bool):
    """The CA's CRLs, in the order issued: held (placed at `first_placed`), released (the
    entry left out), held again (placed at `second_placed`), and released again if
    `second_lifted`."""
    crls = [_crl(pki.issuing, [_hold(pki, first_placed)], first_issued, 2),
            _crl(pki.issuing, [], released, 3),
            _crl(pki.issuing, [_hold(pki, second_placed)], _after(3), 4)]
    if second_lifted:
        crls.append(_crl(pki.issuing, [], _after(4), 5))
    return crls


@pytest.mark.parametrize(("second_lifted", "sub_indication"),
                         [(True, "REVOKED_NO_POE"), (False, "TRY_LATER")],
                         ids=["lifted too", "still held"])
@pytest.mark.parametrize("order", ["oldest first", "newest first"])
def test_a_signature_proven_within_the_first_of_two_holds_is_not_passed(
        pki, root_file, signed, second_lifted, sub_indication, order):
    """Attack: time-stamped at NOW, while held since yesterday; released at NOW + 2 min, held
    again from NOW + 3 min (and released again at NOW + 4 min). It was TOTAL-PASSED: only the
    second hold was compared with the time-stamp, and it came after it. The report names the
    first hold. (While the second is still held, the newest CRL gives no status after the
    time-stamp: TRY_LATER, `freshness`; the report named the second hold.)"""
    crls = _held_released_held(pki, first_placed=samples.NOW - timedelta(days=1),
                               first_issued=_after(1), released=_after(2),
                               second_placed=_after(3), second_lifted=second_lifted)
    if order == "newest first":
        crls.reverse()
    report = _verifier(pki, root_file, crls).verify(signed)
    assert _verdict(report) == ("INDETERMINATE", sub_indication, "revoked")
    revocation = report.signatures[0].revocation
    assert revocation.reason == "certificate_hold"
    assert revocation.revoked_at == samples.NOW - timedelta(days=1)


def test_a_signature_proven_between_two_holds_passes(pki, root_file, signed):
    """Time-stamped at NOW, after the first hold was lifted (NOW - 1 day) and before the
    second was placed (NOW + 3 min, lifted at NOW + 4 min): neither hold bears on it."""
    crls = _held_released_held(pki, first_placed=samples.NOW - timedelta(days=2),
                               first_issued=samples.NOW - timedelta(days=2, minutes=-1),
                               released=samples.NOW - timedelta(days=1),
                               second_placed=_after(3), second_lifted=True)
    report = _verifier(pki, root_file, crls).verify(signed)
    assert _verdict(report) == ("TOTAL-PASSED", None, "good")

def test_a_hold_lifted_by_ocsp_then_placed_again_keeps_the_first(pki):
    """The CA's OCSP responder answered "good" (NOW + 2 min) between the CRL that held the
    certificate and the one that holds it again: a signature made at NOW is judged by the
    first hold, not by the second (which it predates)."""
    from signing.verify import compromise

    crls = [_crl(pki.issuing, [_hold(pki, samples.NOW - timedelta(days=1))], _after(1), 2),
            _crl(pki.issuing, [_hold(pki, _after(3))], _after(3), 3)]
    good = _ocsp(pki.signer, pki.issuing, pki.issuing, at=_after(2))
    listed = compromise.signer_revocation(signer=pki.signer.asn1, issuer=pki.issuing.asn1,
                                          crls=crls, ocsps=[good], at=samples.NOW)
    assert listed is not None and listed.reason == "certificate_hold"
    assert (listed.revoked_at, listed.lifted_at) == (samples.NOW - timedelta(days=1), _after(2))
    assert compromise.distrusted_at(listed, samples.NOW)
    newest = compromise.signer_revocation(signer=pki.signer.asn1, issuer=pki.issuing.asn1,
                                          crls=crls, ocsps=[good], at=_after(4))
    assert newest is not None and (newest.revoked_at, newest.lifted_at) == (_after(3), None)
