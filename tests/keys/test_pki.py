"""The PKI: profiles (RFC 5280), idempotent init, seal and citizen certificates, revocation."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from keys import InvalidRequest, KeyNotFound, issue_citizen_certificate, issue_seal_certificate


def _load(cert):
    return x509.load_der_x509_certificate(cert.dump())


def test_init_is_idempotent(service):
    material = service.pki.material()
    assert service.pki.init(service.now()) is False
    service.pki.invalidate()
    assert service.pki.material().root.certificate.dump() == material.root.certificate.dump()


def test_ca_profiles(service):
    material = service.pki.material()
    root, issuing = _load(material.root.certificate), _load(material.issuing.certificate)
    for cert, path in ((root, 1), (issuing, 0)):
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        assert bc.critical and bc.value.ca and bc.value.path_length == path
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
        assert ku.critical and ku.value.key_cert_sign and ku.value.crl_sign
    assert root.issuer == root.subject
    assert issuing.issuer == root.subject
    aia = issuing.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    # no OCSP for the issuing CA: the root answers none (its key stays offline), its CRL does
    assert {d.access_location.value for d in aia} == {"http://localhost/pki/ca/root.cer"}
    assert root.signature_algorithm_oid._name == "ecdsa-with-SHA384"
    issuing.verify_directly_issued_by(root)


def test_tsa_and_ocsp_profiles(service):
    material = service.pki.material()
    tsa, responder = _load(material.tsa.certificate), _load(material.ocsp.certificate)
    eku = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    eku = responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.OCSP_SIGNING]
    assert responder.extensions.get_extension_for_class(x509.OCSPNoCheck)
    for cert in (tsa, responder):
        cdp = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        assert cdp[0].full_name[0].value == "http://localhost/pki/crl/issuing.crl"


def test_seal_certificate_names_the_agency(service):
    issued = issue_seal_certificate(service, client_id="hacienda",
                                    organization_name="Ministerio de Hacienda",
                                    organization_identifier="VATSV-06140101")
    cert = _load(issued.certificate)
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == \
        "Ministerio de Hacienda"
    assert cert.subject.get_attributes_for_oid(x509.ObjectIdentifier("2.5.4.97"))[0].value == \
        "VATSV-06140101"
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment
    assert service.pki.current_seal(client_id="hacienda", now=service.now()).serial == \
        issued.serial
    assert issued.pem.startswith("-----BEGIN CERTIFICATE-----")


def test_no_seal_for_unknown_client(service):
    with pytest.raises(KeyNotFound, match=r"client 'nobody' has no valid seal certificate"):
        service.pki.current_seal(client_id="nobody", now=service.now())


def test_citizen_certificate_is_short_lived(service):
    from datetime import timedelta

    issued = issue_citizen_certificate(service, given_name="Ana", surname="López",
                                       serial_number="IDCSV-01234567-8", level="substantial")
    cert = _load(issued.certificate)
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == \
        "IDCSV-01234567-8"
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert lifetime <= timedelta(minutes=65)
    with pytest.raises(InvalidRequest, match=r"must not be empty"):
        issue_citizen_certificate(service, given_name="", surname="x", serial_number="y",
                                  level="substantial")


@pytest.mark.parametrize(("level", "serial"), [("low", None), ("substantial", "IDCSV-1"),
                                               ("high", "IDCSV-1")])
def test_citizen_certificate_states_its_level(service, level, serial):
    """Issue 12: a certificate policy per level; the IDC identifier only when proofed."""
    from keys.policies import CITIZEN_POLICIES, ETSI_NCP

    issued = issue_citizen_certificate(service, given_name="Ana", surname="López",
                                       serial_number="IDCSV-1", level=level)
    cert = _load(issued.certificate)
    policies = {p.policy_identifier.dotted_string for p in
                cert.extensions.get_extension_for_class(x509.CertificatePolicies).value}
    assert policies == {CITIZEN_POLICIES[level], ETSI_NCP}
    serials = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    assert [a.value for a in serials] == ([serial] if serial else [])
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert not eku.critical and set(eku.value) == {
        x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36"), ExtendedKeyUsageOID.EMAIL_PROTECTION}
    with pytest.raises(InvalidRequest, match="level must be one of"):
        issue_citizen_certificate(service, given_name="A", surname="B", serial_number="x",
                                  level="medium")


def test_a_proofed_certificate_without_the_identifier_is_asked_for_explicitly(service):
    """A signature that goes to an agency which may not learn the national ID (idp.documents):
    the proofed level stays, the semantic identifier is left out; without `identified=False`
    a missing identifier is still refused, and an identifier with it is a caller's mistake."""
    from keys.policies import CITIZEN_POLICIES

    issued = issue_citizen_certificate(service, given_name="Ana", surname="López",
                                       serial_number=None, level="substantial", identified=False)
    cert = _load(issued.certificate)
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER) == []
    assert CITIZEN_POLICIES["substantial"] in {p.policy_identifier.dotted_string for p in
                                               cert.extensions.get_extension_for_class(x509.CertificatePolicies).value}
    with pytest.raises(InvalidRequest, match=r"needs the semantic identifier \(serial number\), unless"):
        issue_citizen_certificate(service, given_name="Ana", surname="López", serial_number=None,
                                  level="substantial")
    with pytest.raises(InvalidRequest, match=r"takes no serial number; got 'IDCSV-1'"):
        issue_citizen_certificate(service, given_name="Ana", surname="López", serial_number="IDCSV-1",
                                  level="high", identified=False)


def test_seal_certificate_states_the_seal_policy(service):
    from keys.policies import ETSI_NCP, SEAL_POLICY

    issued = issue_seal_certificate(service, client_id="h", organization_name="H",
                                    organization_identifier="VATSV-1")
    cert = _load(issued.certificate)
    policies = {p.policy_identifier.dotted_string for p in
                cert.extensions.get_extension_for_class(x509.CertificatePolicies).value}
    assert policies == {SEAL_POLICY, ETSI_NCP}


def test_revoke_updates_crl_at_once(service):
    from asn1crypto import crl

    issued = issue_seal_certificate(service, client_id="c", organization_name="C",
                                    organization_identifier="VATSV-C")
    before = crl.CertificateList.load(service.pki.crl("issuing", service.now()))
    status = service.pki.revoke(serial=issued.serial.upper(), reason="keyCompromise",
                                now=service.now())
    assert status.reason == "keyCompromise"
    after = crl.CertificateList.load(service.pki.crl("issuing", service.now()))
    assert after.crl_number_value.native == before.crl_number_value.native + 1
    entries = {e["user_certificate"].native: e for e in after["tbs_cert_list"]["revoked_certificates"]}
    assert entries[int(issued.serial, 16)].crl_reason_value.native == "key_compromise"
    with pytest.raises(KeyNotFound):
        service.pki.current_seal(client_id="c", now=service.now())


def test_revoke_errors(service):
    issued = issue_seal_certificate(service, client_id="c", organization_name="C",
                                    organization_identifier="VATSV-C")
    with pytest.raises(InvalidRequest, match=r"reason must be one of .* got 'stolen'"):
        service.pki.revoke(serial=issued.serial, reason="stolen", now=service.now())
    with pytest.raises(KeyNotFound, match=r"no certificate with serial ABCDEF was issued here"):
        service.pki.revoke(serial="ABCDEF", reason="superseded", now=service.now())
    with pytest.raises(InvalidRequest, match=r"a serial number is hexadecimal"):
        service.pki.revoke(serial="xyz", reason="superseded", now=service.now())
    root = service.pki.material().root.serial
    with pytest.raises(InvalidRequest, match=r"root CA certificate cannot be revoked"):
        service.pki.revoke(serial=root, reason="superseded", now=service.now())
    service.pki.revoke(serial=f"serial={issued.serial.upper()}", reason="superseded",
                       now=service.now())
    with pytest.raises(InvalidRequest, match=r"was already revoked"):
        service.pki.revoke(serial=issued.serial, reason="superseded", now=service.now())


def test_cli(service, fresh_app):
    from click.testing import CliRunner

    from idp.cli import Context, cli

    ctx = Context(app=fresh_app)
    runner = CliRunner()
    result = runner.invoke(cli, ["pki", "init"], obj=ctx)
    assert result.exit_code == 0 and "PKI already exists" in result.output
    result = runner.invoke(cli, ["pki", "issue-seal", "--client", "registro",
                                 "--organization-id", "NTRSV-0614-010101-001-1"], obj=ctx)
    assert result.exit_code == 0, result.output
    cert = x509.load_pem_x509_certificate(result.output.encode())
    serial = format(cert.serial_number, "X")
    result = runner.invoke(cli, ["pki", "revoke", serial, "--reason", "keyCompromise"], obj=ctx)
    assert result.exit_code == 0 and f"revoked {serial}" in result.output
    result = runner.invoke(cli, ["pki", "revoke", serial, "--reason", "bogus"], obj=ctx)
    assert result.exit_code == 1 and "reason must be one of" in result.output
    result = runner.invoke(cli, ["pki", "export-root"], obj=ctx)
    root = x509.load_pem_x509_certificate(result.output.encode())
    assert root.subject == root.issuer
    result = runner.invoke(cli, ["keys", "init"], obj=ctx)
    assert "signing keys already exist" in result.output
    result = runner.invoke(cli, ["keys", "list"], obj=ctx)
    assert result.output.count("active") >= 2


def test_cli_issues_the_issuing_crl_now(service, fresh_app):
    """`cedula pki crl issuing` issues a CRL now even when the current one is fresh (before,
    it did so only once half its validity had passed): what verifies at once the signatures
    that have no status information issued after their time-stamp but this CRL."""
    from datetime import timedelta

    from asn1crypto import crl as asn1_crl
    from click.testing import CliRunner

    from idp.cli import Context, cli

    start = service.now().replace(microsecond=0)
    service.pki.crl("issuing", start)
    later = start + timedelta(minutes=5)
    service.clock = lambda: later
    assert asn1_crl.CertificateList.load(service.pki.crl("issuing", later))[
        "tbs_cert_list"]["this_update"].native < later  # fresh enough: kept
    result = CliRunner().invoke(cli, ["pki", "crl", "issuing"], obj=Context(app=fresh_app))
    assert result.exit_code == 0, result.output
    issued = asn1_crl.CertificateList.load(service.pki.crl("issuing", later))
    assert issued["tbs_cert_list"]["this_update"].native == later


def test_cli_keys_list_says_what_to_do_when_there_are_no_keys(fresh_app):
    """`cedula keys list` on a new database printed nothing at all (exit 0)."""
    from click.testing import CliRunner

    from idp.cli import Context, cli
    from keys.service import get_service

    get_service(fresh_app).invalidate()
    result = CliRunner().invoke(cli, ["keys", "list"], obj=Context(app=fresh_app))
    assert result.exit_code == 0, result.output
    assert result.output == "no signing keys yet: run `cedula keys init`\n"
