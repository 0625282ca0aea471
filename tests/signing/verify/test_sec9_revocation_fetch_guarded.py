"""sec9: the OCSP and CRL addresses inside an uploaded PDF's certificates are chosen by whoever
made the PDF. With `[verify] fetch_revocation` on, they were fetched by pyHanko's own HTTP
client (aiohttp): any address, loopback and private networks included, so an anonymous
upload to `/api/verify` made the service send requests into the network it runs in
(server-side request forgery). They go through the guarded outbound client now
(`infra.outbound`): the same addresses, schemes, time and size limits as every other fetch."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from infra.outbound import Outbound, OutboundPolicy
from signing.verify.trust import TrustStore
from signing.verify.validation import Evidence, Verifier
from tests.signing.verify import samples


class _Listener:
    """An HTTP server on loopback that writes down every request and answers the CRL it holds."""

    def __init__(self, crl: bytes) -> None:
        asked: list[str] = []
        self.asked = asked

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                asked.append(f"{self.command} {self.path}")
                if self.path == "/issuing.crl":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/pkix-crl")
                    self.send_header("Content-Length", str(len(crl)))
                    self.end_headers()
                    self.wfile.write(crl)
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            do_GET = do_POST = _answer

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def listener(pki):
    served = _Listener(pki.crls[1].dump())
    yield served
    served.close()


def _signer_pointing_at(pki: samples.Pki, base: str, *, ocsp: bool) -> samples.Party:
    """A signer under the trusted issuing CA whose certificate names `base` as its CRL
    distribution point (and OCSP responder): what a forger writes into a certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Firmante curioso")]))
               .issuer_name(pki.issuing.cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(samples.NOW - timedelta(days=30))
               .not_valid_after(samples.NOW + timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=False, crl_sign=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   pki.issuing.key.public_key()), critical=False)
               .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                   full_name=[x509.UniformResourceIdentifier(f"{base}/issuing.crl")],
                   relative_name=None, reasons=None, crl_issuer=None)]), critical=False))
    if ocsp:
        builder = builder.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(f"{base}/ocsp"))]),
            critical=False)
    return samples.Party(builder.sign(pki.issuing.key, hashes.SHA256()), key)


def _verifier(root_file, pki: samples.Pki, **options) -> Verifier:
    """Fetching on, and nothing of its own about the issuing CA's certificates (only the root's
    CRL): the signer's status can come only from the addresses its certificate names."""
    evidence = Evidence(crls=(pki.crls[0],), certificates=(pki.issuing.asn1,))
    return Verifier(trust=TrustStore([str(root_file)]), evidence=lambda now: evidence,
                    clock=lambda: samples.NOW + timedelta(minutes=5), max_bytes=2 * 1024 * 1024,
                    fetch_revocation=True, **options)


def _signed_by(party: samples.Party, pki: samples.Pki) -> bytes:
    assert isinstance(party.asn1, asn1_x509.Certificate)
    return samples.sign(samples.blank_pdf(), samples.signer_for(party, pki))


def test_sec9_an_uploaded_certificates_revocation_addresses_on_loopback_are_not_fetched(pki, root_file, listener):
    """The verifier of a deployment that may not reach loopback (the default policy) asks
    nothing of the addresses a forged certificate names; the signature stays undetermined."""
    forged = _signed_by(_signer_pointing_at(pki, listener.base, ocsp=True), pki)
    report = _verifier(root_file, pki).verify(forged)
    assert listener.asked == []
    assert report.indication.value == "INDETERMINATE", report.conclusion
    assert report.signatures[0].revocation.status != "good"


def test_sec9_a_refused_address_is_refused_by_the_guarded_client(pki, root_file, listener):
    """The same with the client handed over explicitly: the refusal is the outbound policy's."""
    guarded = Outbound(OutboundPolicy(allow_loopback=False))
    forged = _signed_by(_signer_pointing_at(pki, listener.base, ocsp=True), pki)
    report = _verifier(root_file, pki, outbound=guarded).verify(forged)
    assert listener.asked == []
    assert report.indication.value == "INDETERMINATE", report.conclusion


def test_sec9_an_allowed_address_is_still_fetched_and_used(pki, root_file, listener):
    """Fetching still works where the policy allows the address (a loopback deployment): the
    CRL the certificate names is fetched through the guarded client and gives the status."""
    guarded = Outbound(OutboundPolicy(allow_loopback=True))
    signed = _signed_by(_signer_pointing_at(pki, listener.base, ocsp=False), pki)
    report = _verifier(root_file, pki, outbound=guarded).verify(signed)
    assert "GET /issuing.crl" in listener.asked
    assert report.signatures[0].revocation.status == "good", report.conclusion


@pytest.mark.parametrize(("issuer", "loopback"), [("https://cedula.example", False), ("http://localhost:8000", True)])
def test_sec9_the_service_fetches_under_the_deployments_outbound_policy(issuer, loopback):
    """The verification service and `cedula verify` hand the verifier a client under the
    deployment's `[outbound]` policy (loopback only for a deployment on loopback); none when
    nothing is fetched."""
    from infra.config import load_settings
    from signing.verify.service import VerifySettings, revocation_client

    on = load_settings({"server": {"issuer": issuer}, "verify": {"fetch_revocation": True}}, environ={})
    client = revocation_client(on, VerifySettings.load(on))
    assert client is not None and client.policy.allow_loopback is loopback
    off = load_settings({"server": {"issuer": issuer}}, environ={})
    assert revocation_client(off, VerifySettings.load(off)) is None


def test_sec9_a_pdf_of_many_signatures_sends_at_most_the_verifications_budget(pki, root_file, listener):
    """Each signature (and its freshness check) is validated in a context of its own; the
    request budget and the answers are the verification's: five signers naming ten addresses
    between them get at most `LIMITS.max_requests` requests, and the same signer's addresses
    are asked once however many contexts need them."""
    from signing.verify.revocation_fetching import LIMITS

    pdf = samples.blank_pdf()
    for index in range(5):
        signer = _signer_pointing_at(pki, f"{listener.base}/s{index}", ocsp=True)
        pdf = samples.sign(pdf, samples.signer_for(signer, pki), field=f"Firma{index}")
    _verifier(root_file, pki, outbound=Outbound(OutboundPolicy(allow_loopback=True))).verify(pdf)
    assert 0 < len(listener.asked) <= LIMITS.max_requests
    assert len(set(listener.asked)) == len(listener.asked)
