"""A PID's Token Status List as the verifier checks it (vp_response.check_status): signed by
the PID's own issuer (not any trusted one), `sub` the credential's URI, and fresh (`exp`, or
at most status_list.MAX_AGE after `iat` when there is no `exp`)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from idp.wallet import status_list, vp_response
from idp.wallet.errors import InvalidSdJwt, PresentationRejected
from idp.wallet.trust import TrustedChain
from tests.idp.wallet.pid import PidIssuer, status_list_token

URI = "https://pid.example/status/1"
ISS = "https://pid.example"


def _check(issuer: PidIssuer, token: str, *, idx: int = 3, checked: list | None = None,
           check_issuer=None) -> None:
    """check_status for a PID of `issuer` (its chain: its signing certificate under its CA)
    whose status entry is `idx` of the list at URI, the list being `token`."""
    vp_response.check_status(
        {"status_list": {"idx": idx, "uri": URI}}, fetch=lambda uri: token,
        issued_by=TrustedChain(issuer.certificate, issuer.ca, (issuer.certificate,)), iss=ISS,
        check_issuer=check_issuer or (lambda chain: (checked if checked is not None else []).append(chain)),
        now=datetime.now(UTC))


def _refusal(issuer: PidIssuer, token: str, **kwargs) -> PresentationRejected:
    with pytest.raises(PresentationRejected) as refused:
        _check(issuer, token, **kwargs)
    return refused.value


def _certificate(issuer: PidIssuer, common_name: str, country: str = "SV"):
    """Another signing certificate from `issuer`'s CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                         x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer.ca.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .sign(issuer.ca_key, hashes.SHA256()))
    return certificate, key


def test_the_issuers_own_list_is_accepted_and_a_revoked_entry_refused():
    issuer = PidIssuer()
    checked: list = []
    _check(issuer, status_list_token(issuer, uri=URI, invalid=[7]), checked=checked)
    assert checked == []  # the PID's own certificate: its revocation was checked already
    refused = _refusal(issuer, status_list_token(issuer, uri=URI, invalid=[3]))
    assert refused.error == "credential_revoked"


def test_a_list_signed_by_another_trusted_pid_issuer_is_refused():
    """Both providers are trusted (an EU trust list): ES must not speak for SV's PIDs."""
    issuer, other = PidIssuer(), PidIssuer("Proveedor PID España", country="ES")
    refused = _refusal(issuer, status_list_token(other, uri=URI, invalid=[]))
    assert refused.status == 400 and "status list" in refused.description


def test_a_list_signed_by_another_provider_under_the_same_ca_is_refused():
    issuer = PidIssuer()
    signer = _certificate(issuer, "Another PID Provider")
    refused = _refusal(issuer, status_list_token(issuer, uri=URI, invalid=[], signer=signer))
    assert "not by the credential's issuer" in refused.description


def test_a_list_signed_by_another_certificate_of_the_same_provider_is_accepted_and_checked():
    issuer = PidIssuer()
    signer = _certificate(issuer, "PID Provider Test")  # the provider's name, another key
    checked: list = []
    _check(issuer, status_list_token(issuer, uri=URI, invalid=[], signer=signer), checked=checked)
    assert [chain.leaf for chain in checked] == [signer[0]]  # its revocation is checked too

    def revoked(chain):
        raise InvalidSdJwt("revoked", error="issuer_revoked")

    refused = _refusal(issuer, status_list_token(issuer, uri=URI, invalid=[], signer=signer),
                       check_issuer=revoked)
    assert refused.error == "issuer_revoked"


def test_a_list_naming_another_issuer_or_another_uri_is_refused():
    issuer = PidIssuer()
    token = status_list_token(issuer, uri=URI, invalid=[], claims={"iss": "https://other.example"})
    assert "iss" in _refusal(issuer, token).description
    _check(issuer, status_list_token(issuer, uri=URI, invalid=[], claims={"iss": ISS}))
    assert "sub" in _refusal(issuer, status_list_token(issuer, uri=URI + "0", invalid=[])).description


def test_a_list_without_exp_is_relied_on_for_a_bounded_time_only():
    issuer = PidIssuer()
    now = int(time.time())
    _check(issuer, status_list_token(issuer, uri=URI, invalid=[], without=("exp",)))
    old = status_list_token(issuer, uri=URI, invalid=[], without=("exp",),
                            claims={"iat": now - status_list.MAX_AGE - 60})
    assert "too old" in _refusal(issuer, old).description
    expired = status_list_token(issuer, uri=URI, invalid=[], claims={"exp": now - 1})
    assert "expired" in _refusal(issuer, expired).description


def test_a_list_without_iat_or_issued_in_the_future_is_refused():
    issuer = PidIssuer()
    assert "iat" in _refusal(issuer, status_list_token(issuer, uri=URI, invalid=[],
                                                       without=("iat",))).description
    future = status_list_token(issuer, uri=URI, invalid=[], claims={"iat": int(time.time()) + 3600})
    assert "future" in _refusal(issuer, future).description
