"""Attacks inside the CMS signature: signed attributes without message-digest or with the
wrong content-type, the ESS signing-certificate-v2 attribute missing or naming another
certificate, the SignerInfo's digest or signature algorithm not the one used (RSA/ECDSA
confusion), certificates in the CMS that are not the signer's, a signature time-stamp over
another signature or from an untrusted authority, and DSS/VRI data added after signing for
another certificate. Each forged CMS is signed again with the signer's own key where the
attack needs a sound signature value.

Each one is refused with its reason, by the service in-process and by POST /api/verify.
"""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from asn1crypto import algos, cms
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.signing.verify import attack_kit as kit
from tests.signing.verify import forgeries, samples


@pytest.fixture(scope="module")
def basic(pki) -> bytes:
    return samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))


def _signer_info(info: cms.ContentInfo, **fields) -> cms.ContentInfo:
    signed = info["content"]
    current = signed["signer_infos"][0]
    values = {name: current[name] for name in ("version", "sid", "digest_algorithm",
                                               "signature_algorithm", "signed_attrs",
                                               "signature")}
    if current["unsigned_attrs"].native is not None:
        values["unsigned_attrs"] = current["unsigned_attrs"]
    values.update(fields)
    signed["signer_infos"] = cms.SignerInfos([cms.SignerInfo(values)])
    return cms.ContentInfo({"content_type": "signed_data", "content": signed})


def _with_certificates(info: cms.ContentInfo, certificates) -> cms.ContentInfo:
    info["content"]["certificates"] = cms.CertificateSet(
        [cms.CertificateChoices({"certificate": c}) for c in certificates])
    return info


def _ess(*certificates: asn1_x509.Certificate):
    def change(attributes):
        kept = [a for a in attributes if a["type"].native != "signing_certificate_v2"]
        return [*kept, cms.CMSAttribute({"type": "signing_certificate_v2", "values": [{
            "certs": [{"hash_algorithm": {"algorithm": "sha256"},
                       "cert_hash": hashlib.sha256(c.dump()).digest()} for c in certificates]}]})]
    return change


def _set(name: str, value):
    def change(attributes):
        kept = [a for a in attributes if a["type"].native != name]
        return [*kept, cms.CMSAttribute({"type": name, "values": [value]})]
    return change


def _twin(pki) -> tuple[asn1_x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A certificate with the signer's name, issuer name and serial number (what the
    SignerInfo's sid names) but the attacker's key, signed by an untrusted root."""
    key = ec.generate_private_key(ec.SECP256R1())
    real = pki.signer.cert
    twin = (x509.CertificateBuilder().subject_name(real.subject).issuer_name(real.issuer)
            .public_key(key.public_key()).serial_number(real.serial_number)
            .not_valid_before(real.not_valid_before_utc).not_valid_after(real.not_valid_after_utc)
            .sign(pki.stranger_root.key, hashes.SHA256()))
    return asn1_x509.Certificate.load(twin.public_bytes(serialization.Encoding.DER)), key


def _cms_attacks(pki, basic):
    key = pki.signer.key
    twin, twin_key = _twin(pki)
    original = lambda: kit.cms_of(basic)  # noqa: E731 - a fresh parse for each attack
    return {
        "no_message_digest": kit.resign(original(), key, change=lambda attrs: [
            a for a in attrs if a["type"].native != "message_digest"]),
        "content_type_not_data": kit.resign(original(), key, change=_set("content_type",
                                                                          "signed_data")),
        "no_signing_certificate": kit.resign(original(), key, change=lambda attrs: [
            a for a in attrs if a["type"].native != "signing_certificate_v2"]),
        "signing_certificate_names_another": kit.resign(original(), key,
                                                        change=_ess(pki.stranger.asn1)),
        "signing_certificate_names_another_first": kit.resign(
            original(), key, change=_ess(pki.stranger.asn1, pki.signer.asn1)),
        "digest_algorithm_not_the_one_used": _signer_info(
            original(), digest_algorithm=algos.DigestAlgorithm({"algorithm": "sha512"})),
        "rsa_named_for_an_ecdsa_key": _signer_info(original(), signature_algorithm=(
            algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}))),
        "rsassa_named_for_an_ecdsa_key": _signer_info(original(), signature_algorithm=(
            algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}))),
        "ecdsa_with_another_hash": _signer_info(original(), signature_algorithm=(
            algos.SignedDigestAlgorithm({"algorithm": "sha512_ecdsa"}))),
        "signer_identifier_names_another": _signer_info(
            _with_certificates(original(), [pki.stranger.asn1, pki.issuing.asn1]),
            sid=cms.SignerIdentifier({"issuer_and_serial_number": {
                "issuer": pki.stranger.asn1.issuer,
                "serial_number": pki.stranger.asn1.serial_number}})),
        "twin_certificate_with_the_attackers_key": kit.resign(
            _with_certificates(original(), [twin, pki.signer.asn1, pki.issuing.asn1]),
            twin_key, change=_ess(twin)),
    }


EXPECTED = {
    "no_message_digest": ("TOTAL-FAILED", "FORMAT_FAILURE", "format_failure"),
    "content_type_not_data": ("TOTAL-FAILED", "FORMAT_FAILURE", "format_failure"),
    "no_signing_certificate": ("TOTAL-FAILED", "FORMAT_FAILURE", "format_failure"),
    "signing_certificate_names_another": ("TOTAL-FAILED", "FORMAT_FAILURE", "format_failure"),
    "signing_certificate_names_another_first": ("TOTAL-FAILED", "FORMAT_FAILURE",
                                                "format_failure"),
    "digest_algorithm_not_the_one_used": ("TOTAL-FAILED", "HASH_FAILURE", "hash_failure"),
    "rsa_named_for_an_ecdsa_key": ("TOTAL-FAILED", "FORMAT_FAILURE", "format_failure"),
    "rsassa_named_for_an_ecdsa_key": ("TOTAL-FAILED", "FORMAT_FAILURE", "format_failure"),
    "ecdsa_with_another_hash": ("TOTAL-FAILED", "SIG_CRYPTO_FAILURE", "sig_crypto_failure"),
    "signer_identifier_names_another": ("TOTAL-FAILED", "FORMAT_FAILURE", "format_failure"),
    "twin_certificate_with_the_attackers_key": ("TOTAL-FAILED", "FORMAT_FAILURE",
                                                "format_failure"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_forged_cms_is_refused(verifier, pki, basic, name):
    forged = kit.put_cms(basic, _cms_attacks(pki, basic)[name])
    report = verifier.verify(forged)
    sig = report.signatures[0]
    assert (report.indication.value, report.conclusion.sub_indication, sig.reason) == \
        EXPECTED[name]
    assert report.verdict.value == "not_valid"


def test_an_extra_certificate_beside_the_signers_changes_nothing(verifier, pki, basic):
    """Control: certificates that are not the signer's may travel in the CMS (RFC 5652,
    5.1); the signer is still the one the sid and ESS attribute name."""
    info = _with_certificates(kit.cms_of(basic), [pki.stranger.asn1, pki.signer.asn1,
                                                  pki.issuing.asn1])
    report = verifier.verify(kit.put_cms(basic, info))
    assert report.conclusion.passed
    assert report.signatures[0].signer.name == "Ana López"


def _unsigned_attrs_of(pdf: bytes):
    return kit.cms_of(pdf)["content"]["signer_infos"][0]["unsigned_attrs"]


def test_a_time_stamp_of_another_signature_is_a_hash_failure_of_the_time_stamp(verifier, pki,
                                                                                 signed):
    """The signature time-stamp token of another signature (same signer, another document)
    grafted into this one: its imprint is not of this signature's value."""
    other = samples.sign(samples.blank_pdf(text="Otro documento"),
                         samples.signer_for(pki.signer, pki), stamper=samples.timestamper(pki))
    info = _signer_info(kit.cms_of(signed), unsigned_attrs=_unsigned_attrs_of(other))
    report = verifier.verify(kit.put_cms(signed, info))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "HASH_FAILURE")
    assert report.signatures[0].reason == "timestamp_hash_failure"


def _untrusted_tsa(pki, at) -> DummyTimeStamper:
    tsa = samples._issue("TSA desconocida", pki.stranger_root, ca=False,
                         not_before=samples.NOW - timedelta(days=300),
                         not_after=samples.NOW + timedelta(days=300),
                         eku=[ExtendedKeyUsageOID.TIME_STAMPING], use_rsa=True)
    return DummyTimeStamper(tsa_cert=tsa.asn1, tsa_key=tsa.asn1_key, fixed_dt=at,
                            certs_to_embed=SimpleCertificateStore.from_certs(
                                [pki.stranger_root.asn1]))


@pytest.fixture(scope="module")
def untrusted_stamp(pki) -> bytes:
    return samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki),
                        stamper=_untrusted_tsa(pki, samples.NOW))


def test_a_time_stamp_from_an_untrusted_authority_is_named_as_such(verifier, untrusted_stamp):
    """Regression: the report said "The signer's certificate does not come from any trusted
    authority" of a signer whose chain reaches the trusted root: it is the time-stamping
    authority that is unknown."""
    report = verifier.verify(untrusted_stamp)
    sig = report.signatures[0]
    assert not report.conclusion.passed
    assert sig.trust_anchor is not None and sig.level == "B-B"
    assert sig.timestamp is not None and not sig.timestamp.valid
    assert sig.reason == "timestamp_untrusted"
    assert "time-stamp" in sig.message("en") and "sello de tiempo" in sig.message("es")


def test_an_untrusted_time_stamp_does_not_save_a_revoked_signer(verifier, pki):
    """A time before the revocation, vouched for by an unknown authority, proves nothing."""
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.revoked, pki),
                       stamper=_untrusted_tsa(pki, pki.revoked_at - timedelta(days=5)))
    report = verifier.verify(pdf)
    assert not report.conclusion.passed
    assert report.signatures[0].revocation.status == "revoked"


def _crl(issuer_name: x509.Name, key) -> asn1_crl.CertificateList:
    crl = (x509.CertificateRevocationListBuilder().issuer_name(issuer_name)
           .last_update(samples.CRLS_ISSUED).next_update(samples.NOW + timedelta(days=1))
           .sign(key, hashes.SHA256()))
    return asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))


def _with_dss(pdf: bytes, **material) -> bytes:
    _, first, second, _ = forgeries._byte_range(pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    DocumentSecurityStore.supply_dss_in_writer(
        writer, bytes.fromhex(pdf[first + 1:second - 1].decode("ascii")), **material)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_dss_data_for_another_certificate_makes_no_long_term_signature(verifier, pki, signed):
    forged = _with_dss(signed, certs=[pki.stranger.asn1, pki.stranger_root.asn1],
                       crls=[_crl(pki.stranger_root.cert.subject, pki.stranger_root.key)])
    report = verifier.verify(forged)
    sig = report.signatures[0]
    assert report.conclusion.passed and sig.level == "B-T"
    assert sig.modifications.level == "validation_data"


def test_a_crl_in_the_issuers_name_injected_in_the_vri_does_not_clear_a_revoked_signer(
        verifier, pki):
    revoked = samples.sign(samples.blank_pdf(), samples.signer_for(pki.revoked, pki),
                           stamper=samples.timestamper(pki))
    forged = _with_dss(revoked, crls=[_crl(pki.issuing.cert.subject, pki.stranger_root.key)])
    report = verifier.verify(forged)
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "REVOKED_NO_POE")
    assert report.signatures[0].revocation.status == "revoked"


def test_the_api_refuses_them_too(client, verifier, pki, basic, untrusted_stamp):
    forged = _cms_attacks(pki, basic)
    for name in ("no_message_digest", "signing_certificate_names_another",
                 "rsa_named_for_an_ecdsa_key", "twin_certificate_with_the_attackers_key",
                 "digest_algorithm_not_the_one_used"):
        kit.assert_refused_over_http(client, verifier, kit.put_cms(basic, forged[name]),
                                     reason=EXPECTED[name][2])
    kit.assert_refused_over_http(client, verifier, untrusted_stamp, reason="timestamp_untrusted",
                                 verdict="indeterminate", indication="INDETERMINATE")
