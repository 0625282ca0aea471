"""Subject names within RFC 5280's upper bounds (Appendix A.1: ub-common-name and
ub-organization-name are 64 characters). A citizen's full name stays whole in givenName and
surname (ub-name, 32768); the commonName is a shorter form of it (ETSI EN 319 412-2, 4.2.4:
the CA may choose its presentation). An agency's legal name longer than 64 characters cannot
be shortened without changing who it names: it is refused.

Before: a citizen named "María de los Ángeles Guadalupe Hernández de la Concepción Martínez"
(67 characters, well inside the enrolment's 100 + 100) got a certificate whose commonName broke
ub-common-name (pkilint: itu.invalid_asn1_syntax FATAL, a strict decoder rejects the
certificate), and `cedula pki issue-seal --organization` with 65 characters a seal whose
organizationName and commonName did the same.
"""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from keys import InvalidRequest, issue_citizen_certificate, issue_seal_certificate

GIVEN = "María de los Ángeles Guadalupe"
SURNAME = "Hernández de la Concepción Martínez"


def _values(issued, oid) -> list[str]:
    cert = x509.load_der_x509_certificate(issued.certificate.dump())
    return [str(a.value) for a in cert.subject.get_attributes_for_oid(oid)]


@pytest.mark.parametrize(("given", "surname"), [
    (GIVEN, SURNAME),
    ("Ana", "López " * 30),
    ("A" * 100, "B" * 100),
    ("Juan Carlos", "Pérez"),
])
def test_a_citizen_common_name_fits_ub_common_name_and_the_full_name_stays(service, given,
                                                                           surname):
    issued = issue_citizen_certificate(service, given_name=given, surname=surname,
                                       serial_number="IDCSV-04892614-3", level="high")
    (common_name,) = _values(issued, NameOID.COMMON_NAME)
    assert 1 <= len(common_name) <= 64
    assert _values(issued, NameOID.GIVEN_NAME) == [given]
    assert _values(issued, NameOID.SURNAME) == [surname]
    full = " ".join(f"{given} {surname}".split())
    if len(full) <= 64:
        assert common_name == full
    else:  # a shorter form of the name, cut at a whole word: never someone else's
        shorter = " ".join(f"{given.split()[0]} {surname}".split())
        assert shorter.startswith(common_name.removesuffix("…"))


def test_the_long_name_common_name_is_the_first_given_name_and_the_surnames(service):
    issued = issue_citizen_certificate(service, given_name=GIVEN, surname=SURNAME,
                                       serial_number="IDCSV-04892614-3", level="high")
    assert _values(issued, NameOID.COMMON_NAME) == [
        "María Hernández de la Concepción Martínez"]


def test_a_seal_organization_name_longer_than_ub_organization_name_is_refused(service):
    name = "Dirección General de Registro Civil y Estadísticas Vitales de El Salvador"
    with pytest.raises(InvalidRequest, match=r"organization name has 73 characters; "
                                             r"at most 64 fit a certificate"):
        issue_seal_certificate(service, client_id="registro", organization_name=name,
                               organization_identifier="VATSV-0614")
    issued = issue_seal_certificate(service, client_id="registro", organization_name=name[:64],
                                    organization_identifier="VATSV-0614")
    assert _values(issued, NameOID.ORGANIZATION_NAME) == [name[:64]]


def test_the_cli_refuses_a_long_organization_in_one_line(service, fresh_app):
    from click.testing import CliRunner

    from idp.cli import Context, cli

    result = CliRunner().invoke(cli, ["pki", "issue-seal", "--client", "registro",
                                      "--organization", "x" * 65, "--organization-id", "VATSV-0614"],
                                     obj=Context(app=fresh_app))
    assert result.exit_code == 1
    assert "at most 64 fit a certificate" in result.output
    assert "Traceback" not in result.output
