"""Times from the file at the ends of the calendar. A signer (any signer: a self-signed
certificate is verified and shown) writes the signing-time attribute it likes, and a
time-stamping authority nobody trusts the time it likes; GeneralizedTime (RFC 5652, 11.3)
reaches from year 1 to 9999 and may carry an offset. The report showed them as given:
"00010101000000+0100" is a moment before the year 1 in UTC, and POST /api/verify, writing it
in UTC, answered 500; the page, writing "00010101000000Z" in the reader's zone (the default
America/El_Salvador, UTC-6) or "99991231235959Z" east of UTC, answered the 500 page.

Every time in a verification report is kept in UTC, one Python cannot write in UTC at the
nearest it can (year 1 or 9999), and the page shows a time of the calendar's first or last
day in UTC; the verdict is the file's, never a server error.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from asn1crypto import cms, core
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from tests.signing.verify import attack_kit as kit

SIGNING_TIME = "1.2.840.113549.1.9.5"


def _der(tag: int, body: bytes) -> bytes:
    assert len(body) < 128
    return bytes([tag, len(body)]) + body


def _declared_at(pdf: bytes, key, generalized_time: bytes) -> bytes:
    """`pdf`'s CMS signed again with its signing-time attribute written as the raw
    GeneralizedTime `generalized_time` (asn1crypto would rewrite it in UTC, and cannot)."""
    info = kit.cms_of(pdf)
    signed = info["content"]
    signer_info = signed["signer_infos"][0]
    kept = [a for a in signer_info["signed_attrs"] if a["type"].native != "signing_time"]
    value = _der(0x31, _der(0x18, generalized_time))
    attribute = cms.CMSAttribute.load(_der(0x30, core.ObjectIdentifier(SIGNING_TIME).dump()
                                           + value))
    attributes = cms.CMSAttributes([*kept, attribute])
    signature = key.sign(attributes.dump(), ec.ECDSA(hashes.SHA256()))
    fields = {name: signer_info[name] for name in ("version", "sid", "digest_algorithm",
                                                   "signature_algorithm")}
    signed["signer_infos"] = cms.SignerInfos([cms.SignerInfo(
        {**fields, "signed_attrs": attributes, "signature": signature})])
    return kit.put_cms(pdf, cms.ContentInfo({"content_type": "signed_data", "content": signed}))


TIMES = [b"00010101000000+0100", b"99991231235959-0100", b"00010101000000Z",
         b"99991231235959Z"]


@pytest.mark.parametrize("declared", TIMES)
def test_the_report_keeps_every_time_in_utc(verifier, pki, signed, declared):
    report = verifier.verify(_declared_at(signed, pki.signer.key, declared))
    assert report.conclusion.passed  # a declared time proves nothing: the verdict stands
    moment = report.signatures[0].signing_time
    assert moment is not None and moment.utcoffset() == UTC.utcoffset(None)
    assert moment.year in (1, 9999)
    report.as_json("en")  # writes every time


@pytest.mark.parametrize("declared", TIMES)
def test_the_api_answers_with_the_report(client, verifier, pki, signed, declared):
    body = kit.over_http(client, verifier, _declared_at(signed, pki.signer.key, declared))
    assert body["status"] == 200, body
    assert body["verdict"] == "valid"
    assert body["signatures"][0]["signing_time"][:4] in ("0001", "9999")


@pytest.mark.parametrize("zone", [None, "Pacific/Kiritimati", "Etc/GMT+12"])
@pytest.mark.parametrize("declared", TIMES)
def test_the_page_shows_the_verdict(client, verifier, pki, signed, declared, zone):
    if zone is not None:
        client.set_cookie("tz", zone)
    kind, _words, page = kit.over_the_page(client, verifier,
                                           _declared_at(signed, pki.signer.key, declared))
    assert kind == "valid"
    assert declared[:4].decode() in page


def test_an_ordinary_time_is_unchanged(verifier, pki, signed):
    report = verifier.verify(_declared_at(signed, pki.signer.key, b"20260102030405+0100"))
    assert report.signatures[0].signing_time == datetime(2026, 1, 2, 2, 4, 5, tzinfo=UTC)
