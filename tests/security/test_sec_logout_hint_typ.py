"""Token confusion at the end-session endpoint: only an ID token (typ JWT) is an
id_token_hint. A back-channel logout token (typ logout+jwt: iss, aud the agency, sub, sid,
iat, as an ID token has) or any other token this provider signed must not end a session
and is refused (as the /authorize hint refuses them): the session is unchanged."""

from __future__ import annotations

import pytest

from tests.idp.logout.test_end_session import BACK, end_session, refused, signed_in
from tests.idp.oidc.conftest import claims_of, tokens_for


@pytest.mark.parametrize("typ", ["logout+jwt", "at+jwt", "token-introspection+jwt", None])
def test_a_token_that_is_not_an_id_token_is_no_hint(client, register, citizen, oidc_app, typ):
    import keys

    agency = register(post_logout_redirect_uris=[BACK])
    claims = claims_of(tokens_for(client, agency)["id_token"])
    with oidc_app.app_context():
        forged = keys.sign_jwt(oidc_app, claims, alg="ES256", typ=typ)
    assert refused(end_session(client, id_token_hint=forged, client_id=agency.client_id,
                               post_logout_redirect_uri=BACK)) == "invalid_request"
    assert signed_in(client)
    with oidc_app.app_context():
        genuine = keys.sign_jwt(oidc_app, claims, alg="ES256", typ="JWT")
    assert end_session(client, id_token_hint=genuine).status_code == 200
    assert not signed_in(client)
