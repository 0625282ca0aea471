"""A FAPI 2.0 refusal names the algorithms this client may really use for that signature: the
profile's (ES256, PS256) that the provider accepts there and that the client registered; never
PS256 where PS256 would be refused too."""

from __future__ import annotations

import pytest

from clients.registry import Client, ClientMetadataError, Permissions, validate_metadata
from idp.oidc import client_auth, fapi
from idp.oidc.errors import InvalidClient
from idp.oidc.jar import InvalidRequestObject


def _fapi_client(**metadata) -> Client:
    return Client(client_id="hacienda", client_metadata={"security_profile": "fapi2", **metadata})


def test_an_assertion_alg_registered_outside_the_profile_is_named_as_the_registration_to_change():
    """The assertion must be signed with the registered alg: saying PS256 would send the agency to
    another refusal (the registered token_endpoint_auth_signing_alg)."""
    with pytest.raises(InvalidClient) as refused:
        fapi.check_signing_alg(_fapi_client(token_endpoint_auth_signing_alg="RS256"), "RS256",
                               what="client_assertion", error=InvalidClient,
                               accepted=client_auth.ASSERTION_ALGS, registered="RS256")
    assert "register one of those" in refused.value.description
    assert "registered RS256" in refused.value.description


def test_a_request_object_alg_names_only_the_usable_algorithms():
    with pytest.raises(InvalidRequestObject) as refused:
        fapi.check_signing_alg(_fapi_client(), "RS256", what="the request object", error=InvalidRequestObject,
                               accepted=("ES256", "RS256"))
    assert refused.value.description == "FAPI 2.0: the request object must be signed with ES256, not RS256"


def test_the_profile_algorithms_pass():
    for alg in fapi.ALGS:
        fapi.check_signing_alg(_fapi_client(), alg, what="the DPoP proof")


def test_a_fapi_id_token_alg_refusal_names_what_the_provider_signs_with():
    """ID tokens are signed ES256 or RS256 (idp.oidc.tokens.ID_TOKEN_ALGS): for a FAPI 2.0
    client only ES256 is left, PS256 is not offered at all."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from joserfc.jwk import ECKey

    public = ECKey.import_key(ec.generate_private_key(ec.SECP256R1())).as_dict(private=False)
    with pytest.raises(ClientMetadataError) as refused:
        validate_metadata({"redirect_uris": ["https://hacienda.example.gov/cb"], "security_profile": "fapi2",
                           "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [public]},
                           "id_token_signed_response_alg": "RS256"}, Permissions(operator=True))
    assert "PS256" not in str(refused.value)
    assert "ES256" in str(refused.value)
