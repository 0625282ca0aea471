"""Flow cookies (infra/web/cookies.py): `__Host-` and Path=/ with an https issuer."""

from __future__ import annotations

from infra.web.cookies import flow_cookie_name, flow_cookie_path


def test_https_flow_cookies_are_host_prefixed_at_the_root():
    for base in ("wallet_signin", "wallet_enrol", "cedula_reclaim"):
        assert flow_cookie_name(base, secure=True) == f"__Host-{base}"
        assert flow_cookie_name(base, secure=False) == base
    assert flow_cookie_path("/login/wallet", secure=True) == "/"
    assert flow_cookie_path("/login/wallet", secure=False) == "/login/wallet"
