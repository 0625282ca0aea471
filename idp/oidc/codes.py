"""Authorization codes (RFC 6749 section 4.1.2): single use, short-lived, bound to the client,
the redirect URI and the PKCE challenge, kept in the ephemeral store under the SHA-256 of the
code with those three (`_key`). The exchange looks the code up under the key it computes from
what it was given: another client, a wrong code_verifier or another redirect_uri finds nothing,
and so takes nothing: a leaked code cannot be burnt by someone who lacks what its exchange needs.
A code bound to a DPoP key (RFC 9449 section 10, `dpop_jkt`) has that key's thumbprint in its key
too: a proof of another key (or none) takes nothing either. Such a code leaves a hint under the
key without the thumbprint (`BOUND_PREFIX`), read only when nothing was found, so that the refusal
can say why (`Redemption.bound`). A code whose authorization named several resources (RFC 8707)
is kept under a key of its own (`_key(..., several=True)`), looked under only by an exchange that
names a resource: one that names none finds nothing and takes nothing, and a hint
(`SEVERAL_PREFIX`) lets its refusal say why (`Redemption.several`): which API the token is for
is the agency's to say, and the corrected request still redeems the code.

Redeeming a code leaves a replay mark (under the same key) naming the grant the code creates, for
`code_replay_seconds`: its client presenting the spent code again finds the mark and revokes that grant
(RFC 6749 section 4.1.2: "SHOULD revoke ... all tokens previously issued based on that
authorization code"). An expired, never redeemed code leaves no mark and is simply invalid.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from idp.oidc.grants import CLIENT_DELETED
from infra.store import EphemeralStore, TakeGuard

CODE_PREFIX = "oidc:code:"
MARK_PREFIX = "oidc:code-mark:"
VOID_PREFIX = "oidc:grant-void:"
WITHDRAWN_PREFIX = "oidc:withdrawn:"
DELETED_PREFIX = "oidc:client-deleted:"
BOUND_PREFIX = "oidc:code-bound:"
SEVERAL_PREFIX = "oidc:code-several:"


@dataclass(frozen=True)
class CodeGrant:
    """Everything the token endpoint needs from the authorization step."""

    grant_id: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    citizen_id: str
    scopes: list[str]
    claims: dict[str, Any]
    nonce: str | None
    sid: str
    auth_time: int
    acr: str
    amr: list[str]
    # When the code was issued (time.time(), to the microsecond): a withdrawal is ordered against it
    # (`settled`), so a decision made again right after a withdrawal stands. A code issued before
    # this was a float carries whole seconds: one of the withdrawal's second counts as before it.
    issued_at: float
    # RFC 9449 section 10: the DPoP key the code is bound to (dpop_jkt at /authorize or /par).
    dpop_jkt: str | None = None
    # RFC 8707 section 2.1: the resources of the authorization request (tokens for these only).
    resources: list[str] = field(default_factory=list)
    # The passkey the session was last checked with (`idp.webauthn.encoding.passkey_mark`), for
    # the grant: deleting that passkey revokes it. None: another way in, or an older code.
    passkey: str | None = None


# The C scanner `json.loads` ends in, made once: a code's record is the ASCII text `issue`
# wrote (json.dumps escapes every other character), parsed from its first character to its last.
_SCAN = vars(json.JSONDecoder())["scan_once"]  # (set by its __init__)


def _record(raw: bytes) -> Any:
    """`json.loads(raw)` for a code's record: the same value, or the same error (anything but
    one ASCII JSON value with nothing around it goes to `json.loads`), without its encoding
    detection, its 'surrogatepass' decoding and its whitespace passes (issue 16: they cost
    about a third of the parse)."""
    try:
        text = raw.decode("ascii")
        value, end = _SCAN(text, 0)
    except (UnicodeDecodeError, StopIteration):
        return json.loads(raw)
    if end != len(text):
        return json.loads(raw)
    return value


_FIELDS = tuple(CodeGrant.__dataclass_fields__)  # in order


def _grant(record: Any) -> CodeGrant:
    """`CodeGrant(**record)`: the same grant (or the same error). A record with exactly the
    grant's fields, in their order (what `issue` writes), goes into a new instance's dict as
    it is, without the frozen dataclass's `__init__`, whose `object.__setattr__` per field
    was most of its cost (issue 16: ~45k instructions for 15 fields, ~9k this way)."""
    if type(record) is dict and tuple(record) == _FIELDS:
        grant = object.__new__(CodeGrant)
        grant.__dict__.update(record)
        return grant
    return CodeGrant(**record)


def _key(code: str, client_id: str, challenge: str, redirect_uri: str, jkt: str | None = None,
         several: bool = False) -> str:
    """The code's key: a digest over the code and what binds it (each part but the last
    length-prefixed, so no two different sets of parts are the same text); with `jkt`, the
    DPoP key's thumbprint first (its own prefix: no unbound code's text starts that way);
    `several` (the authorization named several resources) before that (its own prefix too)."""
    text = f"{len(code)}:{code}{len(client_id)}:{client_id}{len(challenge)}:{challenge}{redirect_uri}"
    if jkt is not None:
        text = f"jkt{len(jkt)}:{jkt}" + text
    if several:
        text = "several:" + text
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _digests(code: str, client_id: str, challenge: str, redirect_uri: str, jkt: str | None,
             targeted: bool) -> list[str]:
    """The keys a code of these parts may be under, in the order they are tried: bound to the
    DPoP key `jkt` first (when given), then unbound; for a request that names a resource
    (`targeted`), each also as a code of several resources."""
    keys = []
    for key in ([jkt, None] if jkt is not None else [None]):
        keys.append(_key(code, client_id, challenge, redirect_uri, key))
        if targeted:
            keys.append(_key(code, client_id, challenge, redirect_uri, key, several=True))
    return keys


def issue(store: EphemeralStore, grant: CodeGrant, *, ttl: int) -> str:
    """A new code for `grant` (256 bits of randomness)."""
    code = secrets.token_urlsafe(32)
    # The fields as they are (vars, not dataclasses.asdict: its deep copy was an eighth of a signed-in
    # /authorize's calls); json.dumps only reads them.
    key = _key(code, grant.client_id, grant.code_challenge, grant.redirect_uri)
    record = json.dumps(vars(grant)).encode("utf-8")
    several = len(grant.resources) > 1
    if grant.dpop_jkt is None and not several:
        store.set(CODE_PREFIX + key, record, ttl)
    else:
        kept = _key(code, grant.client_id, grant.code_challenge, grant.redirect_uri, grant.dpop_jkt, several)
        values = {CODE_PREFIX + kept: record}
        if grant.dpop_jkt is not None:
            values[BOUND_PREFIX + key] = b"1"
        if several:
            values[SEVERAL_PREFIX + key] = b"1"
        store.set_many(values, ttl)
    return code


@dataclass(frozen=True, init=False)
class Redemption:
    """Either the code's grant (first use) or the grant id a replayed code must revoke; with
    the grant, the values `redeem` was asked to read with it. `bound`: nothing was found, but
    a code with these parts is bound to a DPoP key other than the one given (or none given).
    (`__init__`: the dataclass's, filling the instance dict at once: issue 16; `read` left out
    is a new empty list, as the dataclass's default factory made.)"""

    grant: CodeGrant | None
    replayed_grant_id: str | None
    read: list[bytes | None] = field(default_factory=list)
    bound: bool = False
    several: bool = False

    def __init__(self, grant: CodeGrant | None, replayed_grant_id: str | None,
                 read: list[bytes | None] | None = None, bound: bool = False, several: bool = False) -> None:
        self.__dict__.update(grant=grant, replayed_grant_id=replayed_grant_id, read=[] if read is None else read,
                             bound=bound, several=several)


def redeem(store: EphemeralStore, code: str, *, client_id: str, redirect_uri: str, challenge: str,
           replay_ttl: int, read: Sequence[str] = (), session_chain: Sequence[str] = (),
           guard: TakeGuard | None = None, jkt: str | None = None, targeted: bool = False) -> Redemption:
    """Take the code (atomically, once) if it was issued to `client_id` for `redirect_uri` and
    the PKCE `challenge` (the S256 of the request's code_verifier) and, if it is bound to a DPoP
    key, `jkt` is that key's thumbprint: otherwise nothing is found, and nothing is taken or
    marked. A second use by that client (with that key) returns the grant to revoke instead.
    With `jkt` (a DPoP proof), the code bound to it is looked for first, then an unbound one;
    without, only an unbound one (one take, as before). A code for several resources is found
    only when the request names one (`targeted`); its replay mark is found either way.

    With `read` and `session_chain`, what the exchange reads next is read in the same step (one
    round trip on Redis, `EphemeralStore.take_and_read`): the keys `read`, then the keys
    `session_chain[0]` + the code's `sid`, `session_chain[1]` + the value found there, ...
    (`Redemption.read`, in that order). The replay check is the same either way. With
    `guard`, nothing is taken or marked unless it holds (`infra.store.GuardRefused`), checked in
    the same step."""
    if not code or len(code) > 512:
        return Redemption(None, None)
    plain = _key(code, client_id, challenge, redirect_uri)
    digests = [plain] if jkt is None and not targeted else _digests(code, client_id, challenge, redirect_uri,
                                                                    jkt, targeted)
    for digest in digests:
        # The code is taken and its replay mark left in one step (one round trip on Redis).
        if read or session_chain or guard is not None:
            raw, values = store.take_and_read(CODE_PREFIX + digest, MARK_PREFIX + digest, "grant_id", replay_ttl,
                                              read=read, follow="sid", chain=session_chain, guard=guard)
            if raw is not None:
                return Redemption(_grant(_record(raw)), None, values)
        else:
            raw = store.take_and_mark(CODE_PREFIX + digest, MARK_PREFIX + digest, "grant_id", replay_ttl)
            if raw is not None:
                return Redemption(_grant(_record(raw)), None)
    marked = _digests(code, client_id, challenge, redirect_uri, jkt, True)
    *marks, hint, several = store.get_many([MARK_PREFIX + digest for digest in marked]
                                           + [BOUND_PREFIX + plain, SEVERAL_PREFIX + plain])
    mark = next((found for found in marks if found is not None), None)
    if mark is None:
        # For several resources without one named, that is why (whatever key the proof has).
        asked = several is not None and not targeted
        return Redemption(None, None, bound=hint is not None and not asked, several=asked)
    grant_id = mark.decode("ascii")
    # Whichever finishes last sees this: the first redemption checks it after creating the grant.
    store.set(VOID_PREFIX + grant_id, b"1", replay_ttl)
    return Redemption(None, grant_id)


def peek(store: EphemeralStore, code: str, *, client_id: str, redirect_uri: str, challenge: str,
         jkt: str | None = None, targeted: bool = True) -> CodeGrant | None:
    """The grant of the code `redeem` would take with these values, read without taking it or
    leaving a mark (None: it would find none). For the checks of a token request that a code
    never changes, made before the code is spent (`idp.oidc.services.exchange_code`)."""
    if not code or len(code) > 512:
        return None
    digests = _digests(code, client_id, challenge, redirect_uri, jkt, targeted)
    found = next((raw for raw in store.get_many([CODE_PREFIX + digest for digest in digests]) if raw is not None),
                 None)
    return None if found is None else _grant(_record(found))


def _withdrawn_key(citizen_id: str, client_id: str | None) -> str:
    return WITHDRAWN_PREFIX + citizen_id + ("" if client_id is None else ":" + client_id)


def mark_withdrawal(store: EphemeralStore, *, citizen_id: str, client_id: str | None, at: float,
                    ttl: int, reason: str = "citizen", level: str | None = None) -> None:
    """The citizen is withdrawing the agency's access (`client_id`; None: every agency's) at
    `at`: left before the withdrawal looks for the grants to revoke, so that an exchange whose
    grant it could not see yet finds the mark once the grant is written (`settled`), and
    revokes it; left again once the withdrawal committed (`at` then), so that a code issued
    from what was read before the commit is refused too. `ttl`: at least a code's lifetime.
    `reason`: why (`citizen`; `recovery_code`: a recovery code lowered the account's proofing;
    `reported_passkey`: a passkey added with one of a reported model did; `wallet_pid_expired`,
    `wallet_pid_revoked`: the PID it rested on lapsed; `passkey_deleted`, `passkey_suspect`: a
    passkey of the citizen's was deleted or marked suspect, and the grants made with it are
    revoked). `level`: for a lowering, the level the
    account is left at: a code issued at or below it stands (its grant is one the lowering keeps)."""
    value = f"{at!r} {reason}" + (f" {level}" if level else "")
    store.set(_withdrawn_key(citizen_id, client_id), value.encode("ascii"), ttl)


def mark_client_deleted(store: EphemeralStore, *, client_id: str, at: float, ttl: int) -> None:
    """The registration of `client_id` is being deleted at `at` (RFC 7592 section 2.3): left
    before the deletion revokes the client's grants and again once it committed, as a
    withdrawal's mark (`mark_withdrawal`), so that an exchange whose grant the deletion could
    not see finds it (`settled`) and revokes that grant itself. `ttl`: at least a code's lifetime."""
    store.set(DELETED_PREFIX + client_id, f"{at!r} {CLIENT_DELETED}".encode("ascii"), ttl)


VOIDED = "voided"
WITHDRAWN = "withdrawn"
LOWERED = "lowered"  # a recovery code lowered the account's identity proofing
DELETED = "deleted"  # the client's registration was deleted (RFC 7592 section 2.3)
ENDED = "ended"  # the code's SSO session ended (a sign-out) while the code was exchanged
# A passkey added in a session checked with a passkey of a reported model lowered it.
LOWERED_REPORTED = "lowered_reported"
LOWERED_PID_EXPIRED = "lowered_pid_expired"  # the PID it rested on expired
LOWERED_PID_REVOKED = "lowered_pid_revoked"  # its issuer revoked the PID it rested on
PASSKEY_DELETED = "passkey_deleted"  # a passkey of the citizen's was deleted (a lost device)
PASSKEY_SUSPECT = "passkey_suspect"  # a passkey of the citizen's was marked suspect (a clone signal)
# What a mark's reason settles a code as (any other reason, or marks of two: WITHDRAWN).
_SETTLED = {"recovery_code": LOWERED, "reported_passkey": LOWERED_REPORTED,
            "wallet_pid_expired": LOWERED_PID_EXPIRED, "wallet_pid_revoked": LOWERED_PID_REVOKED,
            "passkey_deleted": PASSKEY_DELETED, "passkey_suspect": PASSKEY_SUSPECT}


def _mark(raw: bytes) -> tuple[float, str, str | None]:
    """A mark's moment, reason (a mark left before it carried one: the citizen's) and, for a
    lowering, the level left (None: every code issued before it is refused)."""
    at, _, rest = raw.decode("ascii").partition(" ")
    reason, _, level = rest.partition(" ")
    return float(at), reason or "citizen", level or None


def _kept(level: str | None, acr: str, levels: Mapping[str, str] | None) -> bool:
    """Whether a code issued at `acr` is at or below the `level` a lowering left (`levels`: the
    level each acr URI names)."""
    from idp.assurance.levels import LEVELS, rank

    code_level = (levels or {}).get(acr)
    return level in LEVELS and code_level is not None and rank(code_level) <= rank(level)


def settled(store: EphemeralStore, grant: CodeGrant, levels: Mapping[str, str] | None = None, *,
            session_key: str | None = None) -> str | None:
    """Checked once the code's grant is written (one store read): VOIDED when the code was
    presented twice meanwhile, DELETED when the client's registration was deleted at or after
    the code's issue (a deletion that may not have seen the grant), ENDED when `session_key`
    (the index of the code's SSO session, None: sessions are not kept) is gone: the citizen
    signed out (or the session ended) after the exchange saw it alive, and the sign-out's
    logout may not have seen the grant; WITHDRAWN when the citizen withdrew the agency's access
    at or after the code's issue (a withdrawal that may not have seen the grant), LOWERED when a
    recovery code lowered the account's proofing then (LOWERED_REPORTED: a passkey added in a
    session checked with a passkey of a reported model; LOWERED_PID_EXPIRED, LOWERED_PID_REVOKED:
    the PID it rested on lapsed), PASSKEY_DELETED, PASSKEY_SUSPECT when a passkey of the
    citizen's was deleted or marked suspect then, else None. A lowering spares a code issued at or below the
    level it left (`levels`: the level each acr URI names)."""
    keys = [VOID_PREFIX + grant.grant_id, DELETED_PREFIX + grant.client_id,
            _withdrawn_key(grant.citizen_id, None), _withdrawn_key(grant.citizen_id, grant.client_id)]
    if session_key is not None:
        keys.append(session_key)
    voided_mark, deleted, every, agency, *session = store.get_many(keys)
    if voided_mark is not None:
        return VOIDED
    if deleted is not None and _mark(deleted)[0] >= grant.issued_at:
        return DELETED
    if session and session[0] is None:
        return ENDED
    # A code issued before the withdrawal began was issued under the decision being withdrawn.
    reasons = {reason for at, reason, level in (_mark(mark) for mark in (every, agency) if mark is not None)
               if at >= grant.issued_at and not _kept(level, grant.acr, levels)}
    if not reasons:
        return None
    only = next(iter(reasons)) if len(reasons) == 1 else None
    return _SETTLED.get(only or "", WITHDRAWN)


# What a code settled meanwhile means at /token: the reason its grant is revoked for, and what
# the refusal tells the agency (`refusal`).
_REFUSALS = {
    WITHDRAWN: ("citizen", "the citizen withdrew this agency's access (or an operator a scope it was granted) "
                           "while this code was exchanged; start a new authorization request"),
    LOWERED: ("recovery_code", "the account's identity proofing was lowered by a recovery code while this code "
                               "was exchanged; sign the citizen in again (start a new authorization request)"),
    ENDED: ("session_ended", "the citizen signed out (or the session ended) while this code was exchanged; "
                             "start a new authorization request"),
    DELETED: (CLIENT_DELETED, "this client's registration was deleted while this code was exchanged; its "
                              "grants and tokens are revoked (RFC 7592 section 2.3)"),
    LOWERED_REPORTED: ("reported_passkey", "the account's identity proofing was lowered while this code was "
                                           "exchanged: a passkey was added in a session checked with a passkey "
                                           "whose model the FIDO metadata reports compromised; sign the citizen "
                                           "in again (start a new authorization request)"),
    LOWERED_PID_EXPIRED: ("wallet_pid_expired", "the account's identity proofing was lowered while this code was "
                                                "exchanged: the PID it rested on expired; sign the citizen in again "
                                                "(start a new authorization request)"),
    LOWERED_PID_REVOKED: ("wallet_pid_revoked", "the account's identity proofing was lowered while this code was "
                                                "exchanged: its issuer revoked the PID it rested on; sign the "
                                                "citizen in again (start a new authorization request)"),
    PASSKEY_DELETED: ("passkey_deleted", "the citizen deleted one of their passkeys while this code was "
                                         "exchanged, and the access given with it is revoked; sign the "
                                         "citizen in again (start a new authorization request)"),
    PASSKEY_SUSPECT: ("passkey_suspect", "one of the citizen's passkeys was blocked as possibly copied while "
                                         "this code was exchanged, and the access given with it is revoked; "
                                         "sign the citizen in again (start a new authorization request)"),
}
_REUSED = ("code_reuse", "the authorization code was used twice; its tokens are revoked")


def refusal(settled: str) -> tuple[str, str]:
    """The revocation reason and the refusal's description for what `settled` answered."""
    return _REFUSALS.get(settled, _REUSED)
