"""The small spec modules on their own: PKCE, redirect URI matching, claims, subjects,
assurance, client authentication parsing, codes, discovery."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from idp.oidc import assurance, claims, client_auth, codes, pkce, redirect_uris, subjects
from idp.oidc.errors import AuthorizationError, InvalidClient, InvalidGrant, OidcError, UnsafeRedirect
from infra.store import MemoryStore

ACR = {"low": "urn:low", "substantial": "urn:substantial", "high": "urn:high"}


def test_pkce_rfc_7636_appendix_b_example():
    assert pkce.s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    pkce.verify(verifier="dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")


@pytest.mark.parametrize(("challenge", "method", "message"), [
    (None, "S256", "code_challenge is required"),
    ("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "plain", "must be S256, got 'plain'"),
    ("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", None, "none (plain)"),
    ("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c+", "S256", "43 base64url"),
])
def test_pkce_challenge_refusals(challenge, method, message):
    with pytest.raises(AuthorizationError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        pkce.check_challenge(challenge=challenge, method=method)
    assert info.value.error == "invalid_request"


def test_pkce_verifier_refusals():
    with pytest.raises(InvalidGrant, match="43 to 128"):
        pkce.verify(verifier="short", challenge="x" * 43)
    with pytest.raises(InvalidGrant, match="does not match"):
        pkce.verify(verifier="a" * 43, challenge=pkce.s256("b" * 43))


def test_redirect_uri_exact_match_and_loopback_rule():
    registered = ["https://a.example/cb"]
    assert redirect_uris.select(requested="https://a.example/cb", registered=registered,
                                application_type="web") == "https://a.example/cb"
    for bad in ("https://a.example/cb?x", "https://a.example/CB", "https://a.example:443/cb",
                "https://a.example/c%62", "https://u@a.example/cb"):
        with pytest.raises(UnsafeRedirect):
            redirect_uris.select(requested=bad, registered=registered, application_type="web")
    native = ["http://127.0.0.1/cb"]
    assert redirect_uris.select(requested="http://127.0.0.1:4000/cb", registered=native, application_type="native")
    for bad in ("http://127.0.0.1:4000/other", "http://localhost:4000/cb", "https://127.0.0.1:4000/cb",
                "http://u@127.0.0.1:4000/cb", "http://127.0.0.1:99999/cb"):
        with pytest.raises(UnsafeRedirect):
            redirect_uris.select(requested=bad, registered=native, application_type="native")
    with pytest.raises(UnsafeRedirect):  # the port rule is for native clients only
        redirect_uris.select(requested="http://127.0.0.1:4000/cb", registered=native, application_type="web")


def test_claims_parameter_parsing_and_restriction():
    parsed = claims.parse('{"id_token": {"acr": {"essential": true, "values": ["urn:high"]}, "x-unknown": null},'
                          ' "userinfo": {"national_id": null, "email": {"essential": true}}}')
    assert set(parsed["id_token"]) == {"acr"} and claims.essential_acr(parsed) == (["urn:high"], True)
    assert set(claims.restrict(parsed, ["openid"])["userinfo"]) == {"email"}
    assert set(claims.restrict(parsed, ["openid", "national_id"])["userinfo"]) == {"national_id", "email"}
    assert claims.load(claims.dump(parsed)) == parsed
    for bad in ("[]", '{"userinfo": []}', '{"userinfo": {"email": 1}}', '{"userinfo": {"email": {"essential": 1}}}'):
        with pytest.raises(AuthorizationError):
            claims.parse(bad)


@pytest.mark.parametrize("twice", [
    '{"userinfo": {"email": null}, "userinfo": {"national_id": null}}',
    '{"id_token": {"acr": {"essential": true, "essential": false}}}',
])
def test_a_claims_parameter_naming_a_member_twice_is_refused(twice):
    """Read as its last value, a request another reader (the agency's own checks, a proxy) read
    by its first member asked the citizen for something else (RFC 7493 section 2.3)."""
    with pytest.raises(AuthorizationError, match="twice"):
        claims.parse(twice)


def test_pairwise_subjects():
    key = bytes(32)
    one = subjects.pairwise(key=key, sector="a.example", citizen_id="c1")
    assert one == subjects.pairwise(key=key, sector="A.example", citizen_id="c1")
    assert one != subjects.pairwise(key=key, sector="b.example", citizen_id="c1")
    assert one != subjects.pairwise(key=bytes([1]) * 32, sector="a.example", citizen_id="c1")
    assert len(one) == 43
    assert subjects.subject(subject_type="public", key=key, sector="a.example", citizen_id="c1") == "c1"


def test_assurance_is_the_lower_of_proofing_and_authenticator():
    passkey = assurance.assess(amr=["hwk", "mfa"], acr_uris=ACR)
    assert passkey.level == "low" and passkey.acr == "urn:low"  # self-asserted identity
    assert assurance.assess(amr=["hwk", "mfa"], acr_uris=ACR, proofing="high").level == "substantial"
    assert assurance.assess(amr=["hwk"], acr_uris=ACR, proofing="high").level == "low"
    assurance.require(requested=["urn:low"], essential=False, achieved=passkey, acr_uris=ACR)
    assurance.require(requested=["urn:unknown"], essential=False, achieved=passkey, acr_uris=ACR)
    for requested, essential in ((["urn:substantial"], False), (["urn:unknown"], True)):
        with pytest.raises(AuthorizationError) as info:
            assurance.require(requested=requested, essential=essential, achieved=passkey, acr_uris=ACR)
        assert info.value.error == "unmet_authentication_requirements"


def _basic(raw: str) -> str:
    return "Basic " + base64.b64encode(raw.encode()).decode()


def test_client_credentials_presented():
    found = client_auth.presented(authorization=_basic("my%3Aclient:s%2Bcret"), form={})
    assert (found.method, found.client_id, found.secret) == ("client_secret_basic", "my:client", "s+cret")
    assert client_auth.presented(authorization=None, form={"client_id": "a"}).method == "none"
    with pytest.raises(OidcError, match="one client authentication method"):
        client_auth.presented(authorization=_basic("a:b"), form={"client_id": "a", "client_secret": "b"})
    with pytest.raises(InvalidClient, match="does not match"):
        client_auth.presented(authorization=_basic("a:b"), form={"client_id": "other"})
    with pytest.raises(InvalidClient, match="client_assertion_type"):
        client_auth.presented(authorization=None, form={"client_assertion": "x.y.z"})
    with pytest.raises(InvalidClient) as info:
        client_auth.presented(authorization="Basic !!!", form={})
    assert info.value.basic is True
    with pytest.raises(InvalidClient, match="authentication is required"):
        client_auth.presented(authorization=None, form={})


def _grant(grant_id: str = "00000000-0000-4000-8000-000000000001") -> codes.CodeGrant:
    return codes.CodeGrant(grant_id=grant_id, client_id="c", redirect_uri="https://a/cb", code_challenge="x",
                           citizen_id="z", scopes=["openid"], claims={}, nonce=None, sid="s", auth_time=1,
                           acr="urn:low", amr=["hwk"], issued_at=1)


BOUND = {"client_id": "c", "redirect_uri": "https://a/cb", "challenge": "x"}  # what `_grant` binds
KEY = ("c", "x", "https://a/cb")  # `codes._key`'s parts after the code


def test_codes_single_use_with_replay_mark():
    store = MemoryStore()
    code = codes.issue(store, _grant(), ttl=60)
    first = codes.redeem(store, code, **BOUND, replay_ttl=600)
    assert first.grant == _grant() and first.replayed_grant_id is None
    second = codes.redeem(store, code, **BOUND, replay_ttl=600)
    assert second.grant is None and second.replayed_grant_id == _grant().grant_id
    assert codes.settled(store, _grant()) == codes.VOIDED
    assert codes.redeem(store, "never-issued", **BOUND, replay_ttl=600) == codes.Redemption(None, None)


@pytest.mark.parametrize("other", [{"client_id": "d"}, {"redirect_uri": "https://a/cb2"}, {"challenge": "y"}])
def test_a_code_asked_for_with_other_bindings_is_neither_taken_nor_marked(other):
    store = MemoryStore()
    code = codes.issue(store, _grant(), ttl=60)
    assert codes.redeem(store, code, **{**BOUND, **other}, replay_ttl=600) == codes.Redemption(None, None)
    assert codes.redeem(store, code, **BOUND, replay_ttl=600).grant == _grant()


@pytest.mark.parametrize("jkt", ["other-jkt", None])
def test_a_code_bound_to_a_dpop_key_is_not_taken_with_another_key_or_none(jkt):
    import dataclasses

    store = MemoryStore()
    bound = dataclasses.replace(_grant(), dpop_jkt="jkt")
    code = codes.issue(store, bound, ttl=60)
    assert codes.redeem(store, code, **BOUND, replay_ttl=600, jkt=jkt) == codes.Redemption(None, None, bound=True)
    assert codes.redeem(store, code, **BOUND, replay_ttl=600, jkt="jkt").grant == bound
    # An unbound code is still found with a proof (the token is then bound to the proof's key).
    unbound = codes.issue(store, _grant(), ttl=60)
    assert codes.redeem(store, unbound, **BOUND, replay_ttl=600, jkt="jkt").grant == _grant()


def test_a_redeemed_code_is_the_grant_issued_and_older_codes_get_the_newer_fields_defaults():
    import dataclasses
    import json

    store = MemoryStore()
    issued = dataclasses.replace(_grant(), dpop_jkt="jkt", resources=["https://api.example"])
    redeemed = codes.redeem(store, codes.issue(store, issued, ttl=60), **BOUND, replay_ttl=600, jkt="jkt").grant
    assert redeemed == issued and vars(redeemed) == vars(issued)
    with pytest.raises(dataclasses.FrozenInstanceError):
        redeemed.sid = "other"
    older = {k: v for k, v in vars(_grant()).items() if k not in ("dpop_jkt", "resources")}
    store.set(codes.CODE_PREFIX + codes._key("older", *KEY), json.dumps(older).encode(), 60)
    assert codes.redeem(store, "older", **BOUND, replay_ttl=600).grant == _grant()
    store.set(codes.CODE_PREFIX + codes._key("odd", *KEY), json.dumps({**older, "unknown": 1}).encode(), 60)
    with pytest.raises(TypeError, match="unexpected keyword argument 'unknown'"):
        codes.redeem(store, "odd", **BOUND, replay_ttl=600)


@pytest.mark.parametrize("raw", [
    b'{"a": ["b", 1, null, 2.5, {"c": "\\u00e9"}]}',  # what `issue` writes: ASCII
    '{"a": "\u00e9"}'.encode(),  # UTF-8 text
    b'  {"a": 1}\n',  # whitespace around it
    '{"a": 1}'.encode("utf-16"),  # another encoding, with its BOM
    b'{"a": 1} {"b": 2}', b"", b"{", b'{"a": 1,}', b"\xff",  # refused, as json.loads refuses them
])
def test_a_codes_record_is_read_as_json_loads_reads_it(raw):
    import json

    try:
        expected = json.loads(raw)
    except ValueError as exc:
        with pytest.raises(type(exc)) as raised:
            codes._record(raw)
        assert str(raised.value) == str(exc)
    else:
        assert codes._record(raw) == expected


def test_uuid_text_is_the_uuids_own_text():
    import uuid

    from idp.oidc.services import uuid_text

    value = uuid.uuid4()
    canonical = str(value)
    assert uuid_text(value, canonical) is canonical
    for given in (canonical.upper(), value.hex, "{" + canonical + "}", "urn:uuid:" + canonical,
                  canonical.replace("-", "", 1)[:8] + "-" + canonical[8:].replace("-", "")):
        assert uuid_text(uuid.UUID(given), given) == canonical
    assert uuid_text(uuid.UUID(int=1), "+" + "0" * 30 + "1") == str(uuid.UUID(int=1))


def test_a_withdrawal_mark_carries_its_reason():
    """A recovery's mark (every agency) settles a code issued before it as LOWERED; the citizen's
    withdrawal of that agency too wins over it; a mark left before marks carried a reason (the
    moment alone) is the citizen's; a code issued after the marks is not settled."""
    store = MemoryStore()
    codes.mark_withdrawal(store, citizen_id="z", client_id=None, at=2.0, ttl=60, reason="recovery_code")
    assert codes.settled(store, _grant()) == codes.LOWERED
    assert codes.settled(store, replace(_grant(), issued_at=2.5)) is None
    codes.mark_withdrawal(store, citizen_id="z", client_id="c", at=3.0, ttl=60)
    assert codes.settled(store, _grant()) == codes.WITHDRAWN
    legacy = MemoryStore()
    legacy.set(codes.WITHDRAWN_PREFIX + "z", b"2.0", 60)
    assert codes.settled(legacy, _grant()) == codes.WITHDRAWN


def test_a_code_is_settled_by_its_clients_deletion_and_its_sessions_end():
    """A deletion's mark settles a code issued before it (DELETED), not one issued after it
    (the client enabled again); a session index gone settles the code as ENDED, one still
    there (or none asked for: sessions not kept) does not."""
    store = MemoryStore()
    codes.mark_client_deleted(store, client_id="c", at=2.0, ttl=60)
    assert codes.settled(store, _grant()) == codes.DELETED
    assert codes.settled(store, replace(_grant(), issued_at=2.5)) is None
    fresh = MemoryStore()
    assert codes.settled(fresh, _grant(), session_key="sso:sid:s") == codes.ENDED
    fresh.set("sso:sid:s", b"ref", 60)
    assert codes.settled(fresh, _grant(), session_key="sso:sid:s") is None
    assert codes.settled(MemoryStore(), _grant()) is None
    assert codes.refusal(codes.DELETED)[0] == "client_deleted"
    assert codes.refusal(codes.ENDED)[0] == "session_ended"
