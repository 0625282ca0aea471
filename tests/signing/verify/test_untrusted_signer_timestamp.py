"""A signer nobody trusts whose signature carries a time-stamp from a trusted authority: the
report says the time-stamp is valid (it is), and the signer stays untrusted."""

from __future__ import annotations

from tests.signing.verify import samples


def _stranger_signed(pki) -> bytes:
    return samples.sign(samples.blank_pdf(),
                        samples.signer_for(pki.stranger, pki, chain=(pki.stranger_root,)),
                        stamper=samples.timestamper(pki))


def test_a_trusted_time_stamp_of_an_untrusted_signer_is_reported_valid(verifier, pki):
    """Regression: the time-stamp was reported valid=False because pyHanko stops at the
    signer's chain and never judges the time-stamp; it is judged on its own."""
    report = verifier.verify(_stranger_signed(pki))
    sig = report.signatures[0]
    assert sig.timestamp is not None and sig.timestamp.valid
    assert sig.as_json("en")["timestamp"]["valid"] is True
    assert not sig.conclusion.passed and sig.reason == "no_certificate_chain_found"
    assert report.verdict.value != "valid"


def test_an_untrusted_time_stamp_of_an_untrusted_signer_stays_invalid(verifier, pki):
    """Control: a time-stamp from an authority nobody trusts is not called valid."""
    from tests.signing.verify.test_attack_cms import _untrusted_tsa

    pdf = samples.sign(samples.blank_pdf(),
                       samples.signer_for(pki.stranger, pki, chain=(pki.stranger_root,)),
                       stamper=_untrusted_tsa(pki, samples.NOW))
    sig = verifier.verify(pdf).signatures[0]
    assert sig.timestamp is None or not sig.timestamp.valid
    assert not sig.conclusion.passed
