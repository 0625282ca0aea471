"""`cedula pki issue-seal` asks for an organizationIdentifier in the ETSI EN 319 412-1 form
(review, small19).

Before, `--organization-id` was optional and defaulted to the client_id, and took any text: the
bare command issued a seal whose organizationIdentifier was "registro" (not 3-letter type +
2-letter country + '-' + identifier, EN 319 412-1 section 5.1.4) and, with `--organization`
left out too, equal to its organizationName (pkilint: ETSI EN 319 412-3 LEG-4.2.1-6 ERROR). Now
a missing or malformed identifier is refused in one line (exit 1) that says the form, with an
example; one in the form is issued as given."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.x509.oid import NameOID


@pytest.fixture
def issue_seal(service, fresh_app):  # `service`: the PKI is initialised
    from idp.cli import Context, cli

    def run(*args: str):
        return CliRunner().invoke(cli, ["pki", "issue-seal", "--client", "registro", *args],
                                  obj=Context(app=fresh_app))
    return run


@pytest.mark.parametrize("args", [(), ("--organization-id", "registro"),
                                  ("--organization-id", "VATSV0614"), ("--organization-id", "vatsv-0614"),
                                  ("--organization-id", "VATSLV-0614"), ("--organization-id", "NTRSV-")])
def test_a_seal_without_an_identifier_in_the_en_319_412_1_form_is_refused(issue_seal, args):
    result = issue_seal("--organization", "Registro Civil", *args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "BEGIN CERTIFICATE" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "--organization-id" in result.output and "NTRSV-" in result.output, result.output


@pytest.mark.parametrize("identifier", ["VATSV-0614-010101-001-1", "NTRSV-12345", "LEIXG-5493001KJTIIGC8Y1R12"])
def test_a_seal_with_an_identifier_in_that_form_is_issued(issue_seal, identifier):
    result = issue_seal("--organization", "Registro Civil", "--organization-id", identifier)
    assert result.exit_code == 0, result.output
    subject = x509.load_pem_x509_certificate(result.output.encode()).subject
    assert [a.value for a in subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)] == [identifier]
    assert [a.value for a in subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)] == ["Registro Civil"]
