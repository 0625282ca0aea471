"""Pairwise subjects (OIDC Core 1.0 section 8.1) of a client whose sector is its own client_id
(a native app with a private-use scheme or loopback redirect URIs, `computed_sector`) are not
shared with a client whose redirect URI's host is spelt like that client_id.

client_ids are public (every authorization request carries them) and are made of letters,
digits, '-' and '_': a host name. A self-registered native app with the claimed https redirect
URI https://<the victim's client_id, lower case>/cb (its embedded browser takes the code there,
whatever the DNS says) had that text as its sector, the victim's, and so received the victim's
pairwise `sub` for every citizen: the two agencies could correlate their citizens."""

from __future__ import annotations

from tests.idp.oidc.conftest import claims_of, tokens_for


def test_a_host_spelt_like_a_client_id_is_not_that_clients_sector(client, register, citizen):
    victim = register(application_type="native", redirect_uris=["com.example.victim:/cb"],
                      token_endpoint_auth_method="none", client_name="Victima")
    attacker = register(operator=False, application_type="native", token_endpoint_auth_method="none",
                        redirect_uris=[f"https://{victim.client_id.lower()}/cb"], client_name="Atacante")

    seen_by_victim = claims_of(tokens_for(client, victim, scope="openid")["id_token"])["sub"]
    seen_by_attacker = claims_of(tokens_for(client, attacker, scope="openid")["id_token"])["sub"]
    assert seen_by_attacker != seen_by_victim


def test_clients_on_one_dotted_host_still_share_their_sector(client, register, citizen):
    """What section 8.1 asks stays: clients at one host name are one sector."""
    first = register(redirect_uris=["https://portal.example.gov/a"], client_name="Primero")
    second = register(redirect_uris=["https://portal.example.gov/b"], client_name="Segundo")
    assert claims_of(tokens_for(client, first, scope="openid")["id_token"])["sub"] == \
        claims_of(tokens_for(client, second, scope="openid")["id_token"])["sub"]
