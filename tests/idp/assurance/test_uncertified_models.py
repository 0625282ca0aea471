"""Level high rests on the FIDO metadata vouching for the authenticator model: its attestation
chains to the model's roots AND the model is FIDO certified (docs/assurance.md: "a certified,
device-bound security key listed in the metadata"). The metadata also lists models that say
themselves they are not certified (status NOT_FIDO_CERTIFIED, or only SELF_ASSERTION_SUBMITTED):
their attestation proves who made the key, not that it keeps its private key from copying or
tampering, so a passkey of such a model reaches substantial at most."""

from __future__ import annotations

import pytest

from tests.idp.assurance.conftest import all_formats_listed, device_key
from tests.idp.assurance.test_attestation import _facts, _register


@pytest.mark.parametrize("statuses", [["NOT_FIDO_CERTIFIED"], ["SELF_ASSERTION_SUBMITTED"], []])
def test_an_uncertified_model_does_not_reach_high(client, fresh_app, pki, metadata, statuses):
    """Before: level high, as a certified model (only the chain was looked at)."""
    metadata(all_formats_listed(pki, statuses=statuses))
    key = device_key(pki, "packed-full")
    _, response = _register(client, key)
    assert response.status_code == 200, response.get_json()
    assert _facts(fresh_app, key) == ("packed", False, True, "substantial")


@pytest.mark.parametrize("status", ["FIDO_CERTIFIED", "FIDO_CERTIFIED_L1", "FIDO_CERTIFIED_L2",
                                    "FIDO_CERTIFIED_L3plus"])
def test_a_certified_model_reaches_high(client, fresh_app, pki, metadata, status):
    metadata(all_formats_listed(pki, statuses=["NOT_FIDO_CERTIFIED", status]))
    key = device_key(pki, "packed-full")
    _, response = _register(client, key)
    assert response.status_code == 200, response.get_json()
    assert _facts(fresh_app, key)[3] == "high"
