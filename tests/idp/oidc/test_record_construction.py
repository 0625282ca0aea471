"""The records of a code exchange built without the frozen dataclass's per-field
`object.__setattr__` (issue 16) are the records the dataclass would build: same fields, same
values, same order, still frozen, the same signature."""

from __future__ import annotations

import dataclasses
import inspect
import json
import uuid
from datetime import UTC, datetime

import pytest

from idp.oidc import bearer, codes, protected, services
from idp.oidc.client_auth import Presented
from idp.oidc.endpoints import Answer, Asked
from idp.oidc.grants import GrantRecord
from idp.oidc.services import TokenResponse
from idp.oidc.tokens import Authentication
from infra.group_commit import Write
from infra.store import MemoryStore


def _generated_init_parameters(cls: type) -> list[inspect.Parameter]:
    """The parameters of the `__init__` that `dataclass` would generate for `cls`."""
    plain = dataclasses.make_dataclass(cls.__name__, [(f.name, f.type, f) for f in dataclasses.fields(cls)],
                                       frozen=True)
    return list(inspect.signature(plain.__init__).parameters.values())


def _default(parameter: inspect.Parameter) -> object:
    """A parameter's default; a default factory's (`<factory>`) is None in a hand-written one."""
    return None if repr(parameter.default) == "<factory>" else parameter.default


@pytest.mark.parametrize("cls", [GrantRecord, Authentication, Presented, Asked, Answer, TokenResponse,
                                 services._KnownClient, services._Exchange, codes.Redemption, protected.Headers,
                                 bearer.AccessToken, protected.Presented, Write])
def test_a_record_init_takes_what_the_dataclass_init_took(cls):
    mine = list(inspect.signature(cls.__init__).parameters.values())
    generated = _generated_init_parameters(cls)
    assert [(p.name, p.kind, p.default) for p in mine] == [(p.name, p.kind, _default(p)) for p in generated]


def test_records_are_still_frozen_and_hold_their_fields_in_order():
    now = datetime.now(UTC)
    grant = GrantRecord(id=uuid.uuid4(), citizen_id=uuid.uuid4(), client_id="c", scopes=["openid"], claims={},
                        sid="s", auth_time=now, acr="a", amr=["hwk"], created_at=now, expires_at=now)
    assert list(vars(grant)) == [f.name for f in dataclasses.fields(GrantRecord)]
    assert (grant.resources, grant.revoked_at, grant.revoked_reason) == (None, None, None)
    assert GrantRecord.of(grant) == grant
    assert dataclasses.replace(grant, client_id="d").client_id == "d"
    authentication = Authentication(auth_time=1, acr="a", amr=("hwk",), sid="s")
    assert authentication == Authentication(1, "a", ("hwk",), "s")
    presented = Presented("client_secret_basic", "c", secret="s")
    assert (presented.assertion, presented.assertion_header) == (None, None)
    answer = Answer(200, {}, {})
    assert answer.verbatim == frozenset()
    for record, name in ((grant, "client_id"), (authentication, "acr"), (presented, "secret"), (answer, "status")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, name, "x")


def test_the_token_records_are_the_dataclass_records():
    response = TokenResponse("at", 300, "openid", "it", citizen_id="c", released=("sub",))
    assert list(vars(response)) == [f.name for f in dataclasses.fields(TokenResponse)]
    assert (response.refresh_token, response.token_type, response.client_id, response.logged) == (
        None, "Bearer", None, False)
    # citizen_id, client_id, released and logged are not compared (field(compare=False))
    assert response == TokenResponse("at", 300, "openid", "it", citizen_id="d", logged=True)
    assert response != TokenResponse("at", 300, "openid", "it", token_type="DPoP")
    assert repr(response).startswith("TokenResponse(access_token='at', expires_in=300, ")
    assert dataclasses.replace(response, scope="email").scope == "email"
    assert response.to_json() == {"access_token": "at", "token_type": "Bearer", "expires_in": 300,
                                  "scope": "openid", "id_token": "it"}
    first, second = codes.Redemption(None, "g"), codes.Redemption(None, "g")
    assert first.read == [] and first.read is not second.read and first.bound is False
    assert first == second and codes.Redemption(None, None, [b"1"], bound=True).read == [b"1"]
    headers = protected.Headers("POST", None, "proof")
    assert headers == protected.Headers(method="POST", authorization=None, dpop="proof")
    known = services._KnownClient("c", {}, "public")
    exchange = services._Exchange(grant=None, writes=[], counts=[], refresh=None, released={})  # type: ignore[arg-type]
    assert list(vars(exchange)) == ["grant", "writes", "counts", "refresh", "released"]
    for record, name in ((response, "scope"), (first, "bound"), (headers, "dpop"), (known, "client_id"),
                         (exchange, "refresh")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, name, "x")


def test_the_userinfo_records_are_the_dataclass_records():
    token = bearer.AccessToken({"jti": "j"}, None, None, None)  # type: ignore[arg-type]
    assert list(vars(token)) == [f.name for f in dataclasses.fields(bearer.AccessToken)]
    assert (token.generation, token.state, token.facts) == (b"", None, None)
    assert token == bearer.AccessToken(claims={"jti": "j"}, grant=None, citizen=None, consent=None)  # type: ignore[arg-type]
    assert dataclasses.replace(token, generation=b"7").generation == b"7"
    presented = protected.Presented("t", "Bearer")
    assert presented == protected.Presented(token="t", scheme="Bearer", jkt=None) and hash(presented) == hash(
        protected.Presented("t", "Bearer"))
    write = Write("statement", {"a": 1})  # type: ignore[arg-type]
    assert (write.refused, list(vars(write))) == (None, ["statement", "values", "refused"])
    assert write == Write(statement="statement", values={"a": 1}, refused=None)  # type: ignore[arg-type]
    for record, name in ((token, "claims"), (presented, "jkt"), (write, "values")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, name, "x")


def _code_grant(**changes) -> codes.CodeGrant:
    values = dict(grant_id=str(uuid.uuid4()), client_id="c", redirect_uri="https://a/cb", code_challenge="x",
                  citizen_id=str(uuid.uuid4()), scopes=["openid"], claims={"granted": ["sub"]}, nonce="n",
                  sid="s", auth_time=1, acr="a", amr=["hwk"], issued_at=1.5)
    values.update(changes)
    return codes.CodeGrant(**values)


def test_a_redeemed_code_is_the_grant_it_was_issued_for():
    store = MemoryStore()
    issued = _code_grant(resources=["https://api.example"])
    code = codes.issue(store, issued, ttl=60)
    redeemed = codes.redeem(store, code, client_id="c", redirect_uri="https://a/cb", challenge="x", replay_ttl=60)
    assert redeemed.grant == issued
    assert list(vars(redeemed.grant)) == list(vars(issued))
    with pytest.raises(dataclasses.FrozenInstanceError):
        redeemed.grant.client_id = "d"  # type: ignore[misc]


@pytest.mark.parametrize("record", [
    # an older record without the fields added since (their defaults), and one in another order
    {k: v for k, v in vars(_code_grant()).items() if k not in ("dpop_jkt", "resources")},
    dict(reversed(list(vars(_code_grant()).items()))),
])
def test_a_code_record_of_another_shape_is_read_as_the_dataclass_reads_it(record):
    assert codes._grant(json.loads(json.dumps(record))) == codes.CodeGrant(**record)


def test_a_code_record_with_an_unknown_field_is_refused_as_before():
    record = {**vars(_code_grant()), "extra": 1}
    with pytest.raises(TypeError):
        codes._grant(record)
