"""`Pki.issue_seal` (the service every caller reaches, `keys.issue_seal_certificate`) checks
the organizationIdentifier's ETSI EN 319 412-1 section 5.1.4 form as `cedula pki issue-seal`
does, with the same rule (`keys.subject_names.organization_identifier`): before, only the CLI
checked, and a caller of the service got a seal whose identifier was any text (small20)."""

from __future__ import annotations

import pytest

from keys import InvalidRequest, KeyNotFound, issue_seal_certificate


@pytest.mark.parametrize("identifier", ["registro", "C-1", "VATSV0614", "vatsv-0614", "VATSLV-0614", "NTRSV-"])
def test_the_service_refuses_an_identifier_not_in_the_en_319_412_1_form(service, identifier):
    with pytest.raises(InvalidRequest) as refused:
        issue_seal_certificate(service, client_id="registro", organization_name="Registro Civil",
                               organization_identifier=identifier)
    assert "NTRSV-" in str(refused.value) and "--organization-id" not in str(refused.value)
    with pytest.raises(KeyNotFound):  # nothing was issued
        service.pki.current_seal(client_id="registro", now=service.now())


def test_the_service_issues_an_identifier_in_that_form(service):
    issued = issue_seal_certificate(service, client_id="registro", organization_name="Registro Civil",
                                    organization_identifier="NTRSV-12345")
    assert issued.pem.startswith("-----BEGIN CERTIFICATE-----")
    assert service.pki.current_seal(client_id="registro", now=service.now()).serial == issued.serial
