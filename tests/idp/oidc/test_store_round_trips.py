"""Round trips to a shared store (Redis) on the hot paths (issue 16): UserInfo reads the revoked
mark, the cache generation and the session's index together, then the session; /token reads the
session's index with the cache generation. What each read says is unchanged: a revoked token,
an ended session are refused as before."""

from __future__ import annotations

import time
import uuid

import pytest

from infra.store import get_store
from tests.idp.oidc.conftest import bearer, claims_of, exchange, get_code, tokens_for


@pytest.fixture
def reads(oidc_app, monkeypatch):
    """Every read call to the app's store (one call, one round trip on Redis)."""
    store = get_store(oidc_app)
    if not store.shared:
        pytest.skip("the in-process store makes no round trips")
    seen: list[tuple[str, tuple[str, ...]]] = []
    get, get_many = store.get, store.get_many

    def one(key):
        seen.append(("get", (key,)))
        return get(key)

    def many(keys):
        seen.append(("get_many", tuple(keys)))
        return get_many(keys)

    monkeypatch.setattr(store, "get", one)
    monkeypatch.setattr(store, "get_many", many)
    return seen


def test_userinfo_reads_the_store_twice(client, citizen, register, oidc_app, reads):
    agency = register()
    headers = bearer(tokens_for(client, agency)["access_token"])
    assert client.get("/userinfo", headers=headers).status_code == 200  # the state is kept from now on
    reads.clear()
    assert client.get("/userinfo", headers=headers).status_code == 200
    assert [call for call, _keys in reads] == ["get_many", "get"], reads
    assert any(key.startswith("sso:sid:") for key in reads[0][1])


def test_userinfo_still_refuses_a_revoked_token_and_an_ended_session(client, citizen, register, oidc_app, reads):
    agency = register()
    issued = tokens_for(client, agency)
    headers = bearer(issued["access_token"])
    assert client.get("/userinfo", headers=headers).status_code == 200
    from idp.oidc.bearer import revoke

    revoke(get_store(oidc_app), claims_of(issued["access_token"]), now=int(time.time()))
    assert client.get("/userinfo", headers=headers).status_code == 401
    other = bearer(tokens_for(client, agency)["access_token"])
    assert client.get("/userinfo", headers=other).status_code == 200
    from idp.oidc import provider

    sid = provider(oidc_app).grant_sids[uuid.UUID(claims_of(other["Authorization"].split()[1])["grant"])]
    get_store(oidc_app).delete(f"sso:sid:{sid}")  # the session ended
    assert client.get("/userinfo", headers=other).status_code == 401


def test_token_reads_the_session_index_with_the_generation(client, citizen, register, reads):
    agency = register()
    code, flow = get_code(client, agency)
    reads.clear()
    assert exchange(client, agency, code, flow).status_code == 200
    together = [keys for call, keys in reads if call == "get_many"]
    assert any(keys[0] == "cache:generation" and keys[1].startswith("sso:sid:") for keys in together), reads
