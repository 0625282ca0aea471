"""The CMS signed attributes a PAdES signature must carry (`signing.verify.signed_attributes`).

Each forged file is the signer's own signature, its signed attributes changed and signed again
with the signer's key: the cryptography is sound, the format is not.
"""

from __future__ import annotations

import pytest

from tests.signing.verify import forgeries, samples


def _only(report):
    assert len(report.signatures) == 1
    return report.signatures[0]


@pytest.fixture(scope="module")
def basic(pki) -> bytes:
    return samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))


def test_signed_again_unchanged_still_passes(verifier, pki, basic):
    """The forging tool itself changes nothing that matters."""
    assert _only(verifier.verify(forgeries.resigned(basic, pki.signer.key))).conclusion.passed


def test_a_cades_signature_without_signing_certificate_v2_is_a_format_failure(verifier, pki,
                                                                              basic):
    """Attack: without ESS signing-certificate-v2 nothing binds the certificate to the
    signature, so another certificate for the same key (another name, policy or assurance
    level) can be put in its place; pyHanko and pdfsig both judge such a file valid.
    EN 319 142-1 (PAdES baseline) and EN 319 122-1, 5.2.2.3: it shall be present."""
    forged = forgeries.resigned(basic, pki.signer.key, drop=("signing_certificate_v2",))
    report = verifier.verify(forged)
    sig = _only(report)
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert sig.reason == "format_failure" and sig.modifications.level == "none"


@pytest.mark.parametrize("attribute", ["message_digest", "content_type"])
def test_signed_attributes_without_a_mandatory_attribute_are_a_format_failure(
        verifier, pki, basic, attribute):
    """RFC 5652, 5.3: signed attributes must hold content-type and message-digest; without
    the digest nothing ties the signature to the document (pyHanko said INDETERMINATE)."""
    report = verifier.verify(forgeries.resigned(basic, pki.signer.key, drop=(attribute,)))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")


def test_the_rules(pki, basic):
    from asn1crypto import cms

    from signing.verify import signed_attributes

    _, first, second, _ = forgeries._byte_range(basic)
    der = bytes.fromhex(basic[first + 1:second - 1].decode("ascii"))
    info = cms.ContentInfo.load(der)["content"]["signer_infos"][0]
    assert signed_attributes.problem(info, subfilter="/ETSI.CAdES.detached") is None
    twice = cms.CMSAttributes([*info["signed_attrs"], info["signed_attrs"][1]])
    info["signed_attrs"] = twice
    assert "2 message_digest attributes" in signed_attributes.problem(
        info, subfilter="/adbe.pkcs7.detached")


def _signing_times(*, attributes: int, values: int):
    """The signed attributes' signing-time replaced by `attributes` of them, each holding
    `values` times: the true one first, then a year earlier."""
    from datetime import timedelta

    from asn1crypto import cms

    def change(attrs):
        kept = [a for a in attrs if a["type"].native != "signing_time"]
        times = [cms.Time({"utc_time": samples.NOW - timedelta(days=365 * i)})
                 for i in range(values)]
        return [*kept, *(cms.CMSAttribute({"type": "signing_time", "values": times[::-1 if n else 1]})
                         for n in range(attributes))]
    return change


@pytest.mark.parametrize(("attributes", "values"), [(2, 1), (1, 2)])
def test_two_signing_times_are_a_format_failure(verifier, pki, basic, attributes, values):
    """RFC 5652, 11.3: signing-time is single-valued and appears at most once. With two, the
    report showed one of them (the reader's choice) as the time the signer declared."""
    from tests.signing.verify import attack_kit as kit

    forged = kit.put_cms(basic, kit.resign(kit.cms_of(basic), pki.signer.key,
                                           change=_signing_times(attributes=attributes,
                                                                 values=values)))
    report = verifier.verify(forged)
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert _only(report).signing_time is None


def test_one_signing_time_still_passes(verifier, pki, basic):
    from tests.signing.verify import attack_kit as kit

    forged = kit.put_cms(basic, kit.resign(kit.cms_of(basic), pki.signer.key,
                                           change=_signing_times(attributes=1, values=1)))
    assert verifier.verify(forged).conclusion.passed
