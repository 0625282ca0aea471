"""Round trips to a shared store (Redis) on the hot paths (issue 16): UserInfo reads the revoked
mark, the cache generation and the session's index and record together, in one round trip once
the process has seen the grant's session; /token reads the session and the cache generation with the code it takes.
What each read says is unchanged: a revoked token, an ended or re-authenticated session are
answered as before."""

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


def test_userinfo_reads_the_store_once(client, citizen, register, oidc_app, reads):
    agency = register()
    headers = bearer(tokens_for(client, agency)["access_token"])
    assert client.get("/userinfo", headers=headers).status_code == 200  # the state is kept from now on
    reads.clear()
    assert client.get("/userinfo", headers=headers).status_code == 200
    assert [call for call, _keys in reads] == ["get_many"], reads
    assert [key.split(":")[0] + ":" + key.split(":")[1] for key in reads[0][1]] == [
        "cache:generation", "oidc:at-revoked", "sso:sid", "sso:s"]


def test_a_re_authenticated_session_is_read_again(client, citizen, register, oidc_app, reads):
    """Re-authentication keeps the sid under a new record key: the record read with the index
    is the old one's (absent), so the session's own is read after it, and kept for next time."""
    from idp.oidc import provider
    from idp.sessions import records

    agency = register()
    token = tokens_for(client, agency)["access_token"]
    headers = bearer(token)
    assert client.get("/userinfo", headers=headers).status_code == 200
    store, policy = get_store(oidc_app), provider(oidc_app).sessions
    sid = provider(oidc_app).grant_sids[uuid.UUID(claims_of(token)["grant"])]
    session = records.by_sid(store, policy, sid, time.time())
    records.rotate(store, policy, session, amr=session.amr, credential_id=session.credential_id, now=time.time())
    reads.clear()
    assert client.get("/userinfo", headers=headers).status_code == 200
    assert [call for call, _keys in reads] == ["get_many", "get"], reads
    reads.clear()
    assert client.get("/userinfo", headers=headers).status_code == 200
    assert [call for call, _keys in reads] == ["get_many"], reads


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


def test_token_reads_the_session_and_the_generation_with_the_code(client, citizen, register, oidc_app, monkeypatch,
                                                                  reads):
    """The code is taken with the cache generation and its session's index and record, in one
    call (one round trip: `take_and_read`); no other read of the session or the generation."""
    store = get_store(oidc_app)
    taken: list[tuple] = []
    original = store.take_and_read

    def spy(key, mark_key, field, ttl, **reading):
        taken.append((key, reading))
        return original(key, mark_key, field, ttl, **reading)

    monkeypatch.setattr(store, "take_and_read", spy)
    agency = register()
    for _ in range(2):
        code, flow = get_code(client, agency)
        reads.clear()
        taken.clear()
        assert exchange(client, agency, code, flow).status_code == 200
        # The client cached by this process (the second exchange) adds a guard to the same call
        # (the generation and the client-authentication marks, checked in it: endpoints._ready_from_cache).
        guards = [reading.pop("guard", None) for _key, reading in taken]
        assert [(key.split(":")[1], reading) for key, reading in taken] == [
            ("code", {"read": ["cache:generation"], "follow": "sid", "chain": ("sso:sid:", "sso:s:")})], taken
        assert all(guard is None or guard.key == "cache:generation" for guard in guards), guards
        # Once the grant is written, the marks it is settled by are read in one call, with the
        # session's index again (`codes.settled`: a sign-out meanwhile); no other read.
        settled = [keys for call, keys in reads if call == "get_many" and keys[0].startswith("oidc:grant-void:")]
        assert len(settled) == 1 and [key for key in settled[0] if key.startswith("sso:")] == [
            settled[0][-1]] and settled[0][-1].startswith("sso:sid:"), reads
        assert not any(key.startswith("sso:") or key == "cache:generation"
                       for call, keys in reads if keys not in settled
                       for key in keys[1 if call == "get_many" else 0:]), reads
        assert not any(keys[0] == "cache:generation" and keys[1].startswith("sso:")
                       for call, keys in reads if call == "get_many"), reads


def test_token_reads_the_client_auth_marks_together(client, citizen, register, oidc_app, monkeypatch, reads):
    """The client-authentication marks are read in one call with the cache generation: an MGET
    the usual way, or, for a client this process has cached, inside the code's take (its guard)."""
    store = get_store(oidc_app)
    guards: list = []
    original = store.take_and_read

    def spy(key, mark_key, field, ttl, **reading):
        guards.append(reading.get("guard"))
        return original(key, mark_key, field, ttl, **reading)

    monkeypatch.setattr(store, "take_and_read", spy)
    agency = register()
    seen = []
    for _ in range(2):
        code, flow = get_code(client, agency)
        reads.clear()
        guards.clear()
        assert exchange(client, agency, code, flow).status_code == 200
        assert not any(keys[0].startswith("oidc:client-auth:") for call, keys in reads if call == "get"), reads
        assert ("get", ("cache:generation",)) not in reads, reads
        marks = [keys for call, keys in reads if call == "get_many" and keys[1].startswith("oidc:client-auth:")]
        if guards[0] is None:  # the usual way: one MGET, with the generation the row is checked under
            assert len(marks) == 1 and len(marks[0]) == 4 and marks[0][0] == "cache:generation", reads
        else:  # the cached client: the same three marks checked in the take, no read of their own
            assert marks == [], reads
            assert sorted(key.rsplit(":", 2)[-2] if key.endswith("127.0.0.1") else key.rsplit(":", 1)[-1]
                          for group in guards[0].refused_when_all for key in group) == [
                "blocked", "failed", "spread"], guards
        seen.append(guards[0] is not None)
    assert seen[-1], "the second exchange of a cached client goes the guarded way"


def test_token_takes_the_code_and_leaves_its_replay_mark_in_one_call(client, citizen, register, oidc_app,
                                                                     monkeypatch, reads):
    store = get_store(oidc_app)
    writes: list[tuple[str, str]] = []
    for name in ("set", "take", "take_and_mark", "take_and_read"):
        original = getattr(store, name)

        def spy(key, *args, _name=name, _original=original, **kwargs):
            writes.append((_name, key))
            return _original(key, *args, **kwargs)

        monkeypatch.setattr(store, name, spy)
    agency = register()
    code, flow = get_code(client, agency)
    writes.clear()
    assert exchange(client, agency, code, flow).status_code == 200
    assert [call for call, key in writes if key.startswith("oidc:code")] == ["take_and_read"], writes
    assert exchange(client, agency, code, flow).status_code == 400  # the replay finds the mark
