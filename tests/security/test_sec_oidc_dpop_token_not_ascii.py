"""An access token under the DPoP scheme that is not ASCII ("DPoP tökén", with a proof the
sender signed with its own key) is refused with a 401 challenge, not a 500: the proof's `ath`
was computed over the token's ASCII bytes, and encoding it raised UnicodeEncodeError."""

from __future__ import annotations

from tests.support.dpop import DpopKey

USERINFO = "http://localhost/userinfo"


def test_a_dpop_access_token_that_is_not_ascii_is_refused(client, oidc_app):
    key = DpopKey()
    token = "t\u00f6k\u00e9n"
    for _ in range(2):  # the second time with the server's nonce
        headers = {"Authorization": f"DPoP {token}", "DPoP": key.proof("GET", USERINFO, ath="x" * 43)}
        response = client.get("/userinfo", headers=headers)
        assert response.status_code in (400, 401), response.get_data(as_text=True)[:300]
        if response.get_json().get("error") != "use_dpop_nonce":
            break
        key.remember(response)
    assert response.status_code in (400, 401)
    assert response.get_json()["error"] in ("invalid_dpop_proof", "invalid_token")


def test_a_proof_whose_ath_or_nonce_is_not_ascii_is_refused(client, oidc_app):
    """hmac.compare_digest raises TypeError on a str that is not ASCII: an `ath` or a `nonce`
    of "\u00e9" was a 500 too."""
    key = DpopKey()
    first = client.get("/userinfo", headers={"Authorization": "DPoP abc",
                                             "DPoP": key.proof("GET", USERINFO, ath="\u00e9")})
    assert first.status_code in (400, 401), first.get_data(as_text=True)[:300]
    key.remember(first)
    for claims in ({"ath": "\u00e9"}, {"nonce": "\u00e9"}):
        proof = key.proof("GET", USERINFO, **claims)
        response = client.get("/userinfo", headers={"Authorization": "DPoP abc", "DPoP": proof})
        assert response.status_code in (400, 401), response.get_data(as_text=True)[:300]
        assert response.get_json()["error"] in ("invalid_dpop_proof", "use_dpop_nonce")
