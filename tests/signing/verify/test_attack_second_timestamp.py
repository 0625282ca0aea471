"""A second signature time-stamp smuggled into a signature's unsigned attributes (they are
outside what the signer signed: anyone may add one). pyHanko proves the signing time with the
first token that validates; the report showed the first token in the file's order (a token of
an unknown authority, or one over another signature, with another time) with the verdict of
the valid one: "time-stamped by TSA desconocida on <the attacker's date>, valid".

The report now shows the token that was validated, by the service and by POST /api/verify.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples
from tests.signing.verify.test_attack_cms import _signer_info, _unsigned_attrs_of, _untrusted_tsa

EARLIER = samples.NOW - timedelta(days=20)


@pytest.fixture(scope="module")
def roomy(pki) -> bytes:
    """A B-T signature with room in its /Contents for a second time-stamp token."""
    meta = signers.PdfSignatureMetadata(field_name="Firma",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.PdfSigner(meta, signer=samples.signer_for(pki.signer, pki),
                             timestamper=samples.timestamper(pki)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf())),
        bytes_reserved=30000).getvalue()


def _smuggled(pki, stamper):
    """Another document's signature time-stamp token (signed by `stamper` at EARLIER)."""
    other = samples.sign(samples.blank_pdf(text="Otro"), samples.signer_for(pki.signer, pki),
                         stamper=stamper)
    return _unsigned_attrs_of(other)[0]


@pytest.fixture(scope="module")
def forged(pki, roomy) -> dict[str, bytes]:
    own = _unsigned_attrs_of(roomy)[0]
    out = {}
    for name, stamper in (("untrusted_authority", _untrusted_tsa(pki, EARLIER)),
                          ("over_another_signature", samples.timestamper(pki, at=EARLIER))):
        extra = _smuggled(pki, stamper)
        for order, attributes in (("before", [extra, own]), ("after", [own, extra])):
            info = _signer_info(kit.cms_of(roomy), unsigned_attrs=cms.CMSAttributes(attributes))
            out[f"{name}_{order}"] = kit.put_cms(roomy, info)
    return out


@pytest.mark.parametrize("case", ["untrusted_authority_before", "untrusted_authority_after",
                                  "over_another_signature_before",
                                  "over_another_signature_after"])
def test_the_time_stamp_shown_is_the_one_validated(verifier, forged, case):
    report = verifier.verify(forged[case])
    sig = report.signatures[0]
    assert sig.timestamp is not None and sig.timestamp.valid
    assert sig.timestamp.authority == "Otra TSA"
    assert abs(sig.timestamp.time - samples.NOW) < timedelta(minutes=1), sig.timestamp
    assert sig.proven_time == sig.timestamp.time


def test_the_api_says_so_too(client, verifier, forged):
    body = kit.over_http(client, verifier, forged["untrusted_authority_before"])
    assert body["status"] == 200
    stamp = body["signatures"][0]["timestamp"]
    assert stamp["authority"] == "Otra TSA" and stamp["valid"] is True
