"""The credential's own validity window (exp, nbf) and the Status List Token's exp: a value
that is present but not a NumericDate (RFC 7519 section 2) is refused, never read as "no limit"."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from joserfc.jwk import ECKey

from idp.wallet import sd_jwt, sd_jwt_vc, status_list
from idp.wallet.errors import InvalidSdJwt
from tests.idp.wallet.pid import PidIssuer

HOLDER = ECKey.generate_key("P-256").as_dict(private=False)


@pytest.fixture(scope="module")
def issuer() -> PidIssuer:
    return PidIssuer()


def _verify(issuer: PidIssuer, disclosable: tuple[str, ...] = (), **overrides):
    credential = issuer.issue(holder_jwk=HOLDER, claims={"given_name": "Ana"}, overrides=overrides,
                              disclosable=disclosable)
    return sd_jwt_vc.verify(credential, anchors=[issuer.ca], now=datetime.now(UTC), nonce=None,
                            audience=None, require_kb=False)


def test_a_credential_within_its_window_is_accepted(issuer):
    assert _verify(issuer).claims["given_name"] == "Ana"


@pytest.mark.parametrize(("claim", "value", "reason"), [
    ("exp", int(time.time()) - 3600, "expired"),
    ("nbf", int(time.time()) + 3600, "not valid yet"),
    ("exp", str(int(time.time()) + 3600), "exp must be a NumericDate"),
    ("exp", "never", "exp must be a NumericDate"),
    ("exp", True, "exp must be a NumericDate"),
    ("nbf", "0", "nbf must be a NumericDate"),
    ("nbf", [0], "nbf must be a NumericDate"),
], ids=["expired", "not-yet-valid", "exp-digits-in-a-string", "exp-word", "exp-boolean", "nbf-string",
        "nbf-list"])
def test_a_credential_outside_or_without_a_readable_window_is_refused(issuer, claim, value, reason):
    with pytest.raises(InvalidSdJwt, match=reason):
        _verify(issuer, **{claim: value})


@pytest.mark.parametrize(("exp", "reason"), [
    (time.time() - 1, "expired"), (str(int(time.time()) + 3600), "NumericDate"), (False, "NumericDate")],
    ids=["expired", "exp-digits-in-a-string", "exp-boolean"])
def test_a_status_list_token_outside_or_without_a_readable_exp_is_refused(exp, reason):
    claims = {"sub": "https://issuer.example/status/1", "iat": int(time.time()), "exp": exp,
              "status_list": {"bits": 1, "lst": status_list.encode(8, [])}}
    with pytest.raises(InvalidSdJwt, match=reason):
        status_list.check_token_claims(claims, expected_uri=claims["sub"], now=time.time())
    valid = dict(claims, exp=int(time.time()) + 60)
    assert status_list.check_token_claims(valid, expected_uri=claims["sub"], now=time.time())["bits"] == 1


REGISTERED = ("iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status")


@pytest.mark.parametrize("claim", REGISTERED)
def test_a_registered_claim_made_selectively_disclosable_is_refused(issuer, claim):
    """SD-JWT VC draft, section 3.2.2.2: iss, nbf, exp, cnf, vct, vct#integrity and status
    MUST NOT be selectively disclosed. A disclosable status lets the holder leave it out (no
    revocation check), a disclosable exp or cnf the expiry or the key binding."""
    values = {"nbf": int(time.time()) - 60, "vct#integrity": "sha256-" + "A" * 43,
              "status": {"status_list": {"idx": 7, "uri": "https://pid.example/status/1"}}}
    overrides = {claim: values[claim]} if claim in values else {}
    with pytest.raises(InvalidSdJwt, match=f"{claim!r} .*selectively disclosable") as info:
        _verify(issuer, (claim,), **overrides)
    assert info.value.error == "invalid_sd_jwt" and info.value.status == 400
    # plain, the same claims are accepted
    assert _verify(issuer, **overrides).claims["given_name"] == "Ana"


def test_iat_and_sub_may_be_selectively_disclosed(issuer):
    """The same section: sub and iat MAY be disclosures."""
    assert "iat" in _verify(issuer, ("iat", "sub"), sub="ana").claims


def test_cedula_never_makes_a_registered_claim_disclosable():
    """Cédula's own issuance (`make_disclosable`, `sd_jwt_vc.issue`) keeps them plain."""
    claims = {name: "x" for name in (*REGISTERED, "iat")} | {"given_name": "Ana"}
    payload, disclosures = sd_jwt.make_disclosable(claims)
    assert [d.name for d in disclosures] == ["given_name"]
    assert all(payload[name] == "x" for name in (*REGISTERED, "iat"))
