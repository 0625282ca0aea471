"""Pairwise subjects (OIDC Core 1.0 section 8.1) are shared by a sector: a client registered
without an operator cannot join another agency's sector by naming a redirect URI on that
agency's host. Nothing proves the host is its agency's (an open redirect there, or a native
app's embedded browser, brings the code back to it whatever the DNS says), so the host of its
redirect URIs is not its sector: it is a sector of its own (its client_id), unless it proves
the host with a sector_identifier_uri there (the host itself answers the list of redirect
URIs). An operator's registration vouches for its host, as before.

Before, a self-registered client with https://<the agency's host>/cb as its redirect URI had
that host as its sector and received the agency's pairwise `sub` for every citizen: the two
could correlate their citizens."""

from __future__ import annotations

from tests.idp.oidc.conftest import claims_of, tokens_for

HOST = "https://portal.hacienda.example.gov"


def _sub(client, agency) -> str:
    return claims_of(tokens_for(client, agency, scope="openid")["id_token"])["sub"]


def test_a_self_registered_client_on_an_agencys_host_does_not_share_its_sector(client, register, citizen):
    agency = register(redirect_uris=[f"{HOST}/callback"], client_name="Hacienda")
    intruder = register(operator=False, redirect_uris=[f"{HOST}/otra"], client_name="Intruso")
    assert _sub(client, intruder) != _sub(client, agency)


def test_a_self_registered_client_registered_first_does_not_share_it_either(client, register, citizen):
    intruder = register(operator=False, redirect_uris=[f"{HOST}/otra"], client_name="Intruso")
    seen = _sub(client, intruder)
    agency = register(redirect_uris=[f"{HOST}/callback"], client_name="Hacienda")
    assert _sub(client, agency) != seen


def test_a_self_registered_client_that_proves_the_host_shares_it(client, register, citizen):
    """A sector_identifier_uri on the host, listing the client's redirect URIs, is the agency's
    proof: the client is in the host's sector, as section 8.1 says."""
    agency = register(redirect_uris=[f"{HOST}/callback"], client_name="Hacienda")
    # (`registered_agency` answers the fetch of the sector_identifier_uri with the redirect URIs)
    second = register(operator=False, redirect_uris=[f"{HOST}/otra"], sector_identifier_uri=f"{HOST}/sector.json",
                      client_name="Hacienda 2")
    assert _sub(client, second) == _sub(client, agency)
