"""An outside attacker sends JSON nested deeper than Python's parser can recurse: in a
vp_token (anyone can open a request of their own and post to its response endpoint) or in a
disclosure of a presentation. Each is a refusal in the spec's words, never a RecursionError
(a 500)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from idp.wallet import sd_jwt, vp_request, vp_response
from idp.wallet.errors import InvalidSdJwt, PresentationRejected
from infra.jose import b64url
from infra.store.memory import MemoryStore

DEEP = "[" * 5000 + "]" * 5000


def test_a_vp_token_nested_too_deep_is_refused_as_invalid_presentation():
    store = MemoryStore()
    request = vp_request.create(store, issuer="https://cedula.test", purpose="sign_in",
                                citizen_id="", pid_vct="urn:eudi:pid:1", ttl=60)
    with pytest.raises(PresentationRejected, match="vp_token is not JSON"):
        vp_response.verify(store, form={"state": request.state, "vp_token": DEEP}, anchors=[],
                           fetch_status=lambda uri: "", check_issuer=lambda chain: None,
                           pid_vct="urn:eudi:pid:1", now=datetime.now(UTC), max_age=300)


def test_a_disclosure_nested_too_deep_is_refused_as_invalid_sd_jwt():
    with pytest.raises(InvalidSdJwt, match="disclosure"):
        sd_jwt.Disclosure.parse(b64url(DEEP.encode()))
    with pytest.raises(InvalidSdJwt, match="disclosure"):
        sd_jwt.reconstruct({"_sd": []}, [b64url(DEEP.encode())])


def test_authorization_details_nested_too_deep_are_refused_to_the_client():
    from idp.wallet import authorization

    with pytest.raises(authorization.AuthorizationRefused) as refused:
        authorization._configuration({"authorization_details": ["[" * 4000 + "]" * 4000]}, {})
    assert refused.value.error == "invalid_authorization_details"
