"""Failed client authentication is rate limited per client (issue 14), without letting a
stranger lock the agency out: the address that keeps failing is refused, the agency's own is not."""

from __future__ import annotations

import pytest

from tests.support.basic_auth import basic_auth

LIMIT = 10  # [oidc] client_auth_failures


def attempt(client, agency, secret: str, address: str, path: str = "/token"):
    form = {"grant_type": "client_credentials"} if path == "/token" else {"token": "x"}
    return client.post(path, data=form, headers=basic_auth(agency.client_id, secret),
                       environ_overrides={"REMOTE_ADDR": address})


@pytest.mark.parametrize("path", ["/token", "/introspect", "/revoke"])
def test_an_address_that_keeps_failing_is_refused_for_that_client(client, register, path):
    agency = register()
    for _ in range(LIMIT):
        assert attempt(client, agency, "guess", "203.0.113.7", path).status_code == 401
    refused = attempt(client, agency, agency.secret, "203.0.113.7", path)  # even the right secret
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "300"
    assert refused.get_json() == {
        "error": "invalid_client",
        "error_description": "too many failed client authentications for this client from this address; "
                             "try again in 300 seconds"}
    # The agency's own servers are not locked out by someone else's guesses.
    assert attempt(client, agency, agency.secret, "198.51.100.20", path).status_code != 401
    assert attempt(client, agency, agency.secret, "198.51.100.20", path).status_code != 429
    # Nor is another client, from the same address.
    other = register(client_name="Otra")
    assert attempt(client, other, other.secret, "203.0.113.7", path).status_code != 429


def test_failures_spread_over_many_addresses_stop_every_address_that_failed(client, register):
    agency = register()
    for n in range(LIMIT * 10):
        assert attempt(client, agency, "guess", f"10.1.{n // 250}.{n % 250 + 1}").status_code == 401
    assert attempt(client, agency, "guess", "10.1.0.1").status_code == 429  # it failed before
    assert attempt(client, agency, agency.secret, "10.1.0.1").status_code == 429
    assert attempt(client, agency, agency.secret, "192.0.2.50").status_code == 400  # never failed: served
