"""Issue 21: a PID issuer's certificate is checked for revocation (CRL or OCSP, through the
guarded outbound client, cached per certificate until nextUpdate) before a PID is accepted.
A test CA issues the PID issuer's certificate; its CRL and OCSP responder answer good, revoked
or nothing at all. On both backends (the cache lives in the ephemeral store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from idp.wallet import issuer_revocation
from idp.wallet.issuer_revocation import IssuerRevocationUnavailable, IssuerRevoked
from infra.store import get_store
from tests.idp.wallet.pid import CRL_URL, OCSP_URL, PidIssuer


def _check(app, issuer: PidIssuer, *, policy: str = "require", fetch=None, now=None):
    return issuer_revocation.check((issuer.certificate,), issuer.ca, fetch=fetch or issuer.serve,
                                   now=now or datetime.now(UTC), policy=policy,
                                   store=get_store(app), max_cache=3600)


def test_good_by_crl_is_cached_until_the_next_update(fresh_app):
    issuer = PidIssuer()
    assert _check(fresh_app, issuer).state == "good"
    assert issuer.fetched == [CRL_URL]
    assert _check(fresh_app, issuer).detail == "cached" and issuer.fetched == [CRL_URL]
    ttl_key = issuer_revocation.cache_key(issuer.certificate)
    assert get_store(fresh_app).get(ttl_key) == b"good"


def test_revoked_by_crl_is_refused_whatever_the_policy(fresh_app):
    for policy in issuer_revocation.POLICIES:
        issuer = PidIssuer()
        issuer.revoke()
        with pytest.raises(IssuerRevoked) as caught:
            _check(fresh_app, issuer, policy=policy)
        assert caught.value.error == "issuer_revoked"
        assert "PID Provider Test" in caught.value.description


@pytest.mark.parametrize("revoked", [False, True])
def test_ocsp_good_and_revoked(fresh_app, revoked):
    issuer = PidIssuer(crl_url=None, ocsp=True)
    if revoked:
        issuer.revoke()
        with pytest.raises(IssuerRevoked):
            _check(fresh_app, issuer)
    else:
        assert _check(fresh_app, issuer).state == "good"
    assert issuer.fetched == [OCSP_URL]


def test_unreachable_responder_refuses_by_default_and_is_not_cached(fresh_app):
    issuer = PidIssuer(ocsp=True)
    issuer.down = True
    with pytest.raises(IssuerRevocationUnavailable) as caught:
        _check(fresh_app, issuer)
    assert (caught.value.error, caught.value.status) == ("issuer_revocation_unavailable", 503)
    assert "could not be obtained" in caught.value.description
    assert get_store(fresh_app).get(issuer_revocation.cache_key(issuer.certificate)) is None
    assert _check(fresh_app, issuer, policy="soft-fail").state == "unknown"
    issuer.down = False  # back up: the next presentation asks again
    assert _check(fresh_app, issuer).state == "good"


def test_no_revocation_information_declared_is_unknown(fresh_app):
    issuer = PidIssuer(crl_url=None)
    with pytest.raises(IssuerRevocationUnavailable):
        _check(fresh_app, issuer)
    assert issuer.fetched == []


def test_a_stale_crl_is_not_good_enough(fresh_app):
    issuer = PidIssuer()
    later = datetime.now(UTC) + timedelta(hours=2)  # past the CRL's nextUpdate
    with pytest.raises(IssuerRevocationUnavailable):
        _check(fresh_app, issuer, now=later)


def test_a_crl_signed_by_someone_else_is_not_trusted(fresh_app):
    issuer, impostor = PidIssuer(), PidIssuer("Otro")
    impostor.revoked = set()
    with pytest.raises(IssuerRevocationUnavailable):
        _check(fresh_app, issuer, fetch=lambda url, body: impostor.crl())


def test_the_fetch_goes_through_the_guarded_outbound_client(fresh_app):
    """A certificate pointing at a private address gets no request out: status unknown."""
    from idp.wallet import get_wallet
    from infra.outbound import OutboundError

    wallet = get_wallet(fresh_app)
    with pytest.raises(OutboundError):
        wallet.fetch_revocation("https://10.1.2.3/pid.crl", None)
    issuer = PidIssuer(crl_url="https://10.1.2.3/pid.crl")
    with pytest.raises(IssuerRevocationUnavailable):
        _check(fresh_app, issuer, fetch=wallet.fetch_revocation)


def test_settings_refuse_an_unknown_policy():
    from idp.wallet.settings import load
    from infra.config import ConfigError, load_settings

    settings = load_settings(overrides={"wallet": {"issuer_revocation": "maybe"}})
    with pytest.raises(ConfigError, match="issuer_revocation"):
        load(settings)


# Over HTTP: a citizen presents a PID whose issuer certificate is revoked, or unverifiable.

from tests.idp.assurance.conftest import proofing  # noqa: E402
from tests.idp.wallet.test_proofing import (  # noqa: E402 - fixtures and helpers of the flow
    _present,
    _request,
    _respond,
    citizen,  # noqa: F401
    pid_issuer,  # noqa: F401
)


def test_a_pid_whose_issuer_certificate_is_revoked_is_refused(web, docs_app, citizen, pid_issuer, holder):  # noqa: F811
    pid_issuer.revoke()
    params = _request(web)
    response = _respond(web, params, _present(holder, pid_issuer, params))
    assert response.status_code == 400
    assert response.get_json()["error"] == "issuer_revoked"
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"


def test_an_unreachable_responder_is_503_and_nothing_is_proofed(web, docs_app, citizen, pid_issuer, holder):  # noqa: F811
    pid_issuer.down = True
    params = _request(web)
    response = _respond(web, params, _present(holder, pid_issuer, params))
    assert response.status_code == 503 and response.headers["Retry-After"]
    body = response.get_json()
    assert body["error"] == "issuer_revocation_unavailable"
    assert "could not be obtained" in body["error_description"]
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"


def test_ocsp_first_then_the_crl_when_the_responder_fails(fresh_app):
    issuer = PidIssuer(ocsp=True)
    assert _check(fresh_app, issuer).state == "good" and issuer.fetched == [OCSP_URL]
    other = PidIssuer(ocsp=True)

    def ocsp_down(url, body):
        if url == OCSP_URL:
            raise ConnectionError(url)
        return other.serve(url, body)

    assert _check(fresh_app, other, fetch=ocsp_down).state == "good"
    assert other.fetched == [CRL_URL]
