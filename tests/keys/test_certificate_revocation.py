"""Revoking end-entity certificates in the caller's transaction (`keys.certificate_revocation`):
with the caller's other writes or not at all, once (asked again, nothing changes), only the
role asked for, and the CRL published in that transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asn1crypto import crl

from infra.db import get_db
from keys import InvalidRequest, issue_citizen_certificate, issue_seal_certificate, revoke_certificates
from keys.models import Certificate


def _citizen(service):
    return issue_citizen_certificate(service, given_name="Ana", surname="López",
                                     serial_number="IDCSV-04892613-5", level="high")


def _listed(pki_client) -> dict[int, str]:
    body = crl.CertificateList.load(pki_client.get("/pki/crl/issuing.crl").data)
    return {e["user_certificate"].native: e.crl_reason_value.native
            for e in body["tbs_cert_list"]["revoked_certificates"]}


def test_revoked_with_the_callers_transaction_listed_once_and_only_the_role_asked(
        service, pki_client, fresh_app):
    one, two = _citizen(service), _citizen(service)
    seal = issue_seal_certificate(service, client_id="c", organization_name="C",
                                  organization_identifier="VATSV-C")
    now = service.now()
    with get_db(fresh_app).transaction() as session:
        done = revoke_certificates(service, session, serials=[one.serial, two.serial, seal.serial, "zz"],
                                   role="citizen", reason="keyCompromise",
                                   invalidity_date=now - timedelta(hours=1), now=now)
    assert sorted(s.serial for s in done) == sorted([one.serial, two.serial])
    listed = _listed(pki_client)
    assert listed[one.certificate.serial_number] == listed[two.certificate.serial_number] == "key_compromise"
    assert seal.certificate.serial_number not in listed  # a seal, not a citizen's
    with get_db(fresh_app).transaction() as session:  # asked again: nothing changes
        assert revoke_certificates(service, session, serials=[one.serial], role="citizen",
                                   reason="privilegeWithdrawn", invalidity_date=None, now=now) == ()
    with get_db(fresh_app).read() as session:
        assert session.get(Certificate, one.serial).revocation_reason == "keyCompromise"


def test_nothing_is_revoked_when_the_callers_transaction_rolls_back(service, pki_client, fresh_app):
    one = _citizen(service)
    with pytest.raises(RuntimeError), get_db(fresh_app).transaction() as session:
        revoke_certificates(service, session, serials=[one.serial], role="citizen",
                            reason="keyCompromise", invalidity_date=None, now=service.now())
        raise RuntimeError("the caller's other write failed")
    assert one.certificate.serial_number not in _listed(pki_client)
    with get_db(fresh_app).read() as session:
        assert session.get(Certificate, one.serial).revoked_at is None


def test_a_future_invalidity_date_or_a_ca_role_is_refused(service, fresh_app):
    one = _citizen(service)
    now = service.now()
    with get_db(fresh_app).transaction() as session:
        with pytest.raises(InvalidRequest, match="invalidity date must not be in the future"):
            revoke_certificates(service, session, serials=[one.serial], role="citizen",
                                reason="keyCompromise", invalidity_date=now + timedelta(days=1), now=now)
        with pytest.raises(InvalidRequest, match="role must be one of citizen, seal, got 'issuing'"):
            revoke_certificates(service, session, serials=[one.serial], role="issuing",
                                reason="keyCompromise", invalidity_date=None, now=now)
