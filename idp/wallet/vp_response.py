"""Authorization Responses with `direct_post` (OpenID4VP 1.0, section 8.2): the wallet posts
`vp_token` and `state`; Cédula verifies the PID (issuer trusted, and for the PID's issuing
country, signature, disclosures, key binding with this request's nonce and audience,
validity, status) and answers with a
`redirect_uri` carrying a one-time `response_code` (section 8.2, session fixation defence)
that only the browser session which made the request can redeem.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from idp.wallet import dcql, sd_jwt_vc, status_list, trust, vp_request
from idp.wallet.errors import InvalidSdJwt, PresentationRejected
from idp.wallet.trust import TrustedChain
from infra import jose
from infra.store import EphemeralStore as Store

log = logging.getLogger(__name__)

_RESULT = "wallet:vp:result:"
MAX_VP_TOKEN = 64 * 1024

StatusFetcher = Callable[[str], str]
"""`fetch(uri)` -> the Status List Token at `uri` (a guarded outbound GET)."""
IssuerCheck = Callable[[TrustedChain], object]
"""`check(chain)`: raises `InvalidSdJwt` (issuer_revoked, issuer_revocation_unavailable) when
the PID issuer's certificate must not be trusted (`Wallet.check_issuer_revocation`)."""


@dataclass(frozen=True)
class ProvenIdentity:
    """What a verified PID says, and which request and session it answers."""

    purpose: str
    citizen_id: str
    family_name: str
    given_name: str
    birthdate: str
    national_id: str
    issuing_country: str
    issuer: str
    # What the proofing it raises rests on, re-checked while that level is used
    # (`idp.wallet.proofing.lapse`): the PID's expiry and its Token Status List entry.
    expires_at: int = 0
    status_uri: str = ""
    status_index: int = -1
    # When the PID provider issued it (`iat`; 0: not said): a desk recovery of the account
    # refuses every PID issued before it (`idp.wallet.sign_in.decide`).
    issued_at: int = 0
    # Who issued it (`issuer_key` of its `x5c` chain): a later re-check of its status
    # (`idp.assurance.wallet_proofing`) takes only a list that this same issuer signed.
    issuer_id: str = ""


def _vp_token(raw: object) -> dict[str, Any]:
    """Section 8.1: a JSON object, credential query id -> array of presentations."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_VP_TOKEN:
        raise PresentationRejected("vp_token is required: a JSON object as a string")
    try:
        token = json.loads(raw)
    except (ValueError, RecursionError):  # nested deeper than the parser recurses: not a 500
        raise PresentationRejected("vp_token is not JSON") from None
    if not isinstance(token, dict) or not token:
        raise PresentationRejected("vp_token must be a JSON object keyed by the query's ids")
    return token


def check_status(claims_status: object, *, fetch: StatusFetcher, issued_by: TrustedChain,
                 iss: object, check_issuer: IssuerCheck, now: datetime) -> None:
    """Token Status List section 8.3: fetch the list, check that the credential's own issuer
    signed it (`_same_issuer`), its `sub`, its freshness (`status_list.check_token_claims`)
    and the credential's entry (anything but VALID is refused).

    `issued_by` is the credential's verified `x5c` chain and `iss` its issuer claim; a list
    signed by another certificate of that issuer is checked for revocation as the
    credential's certificate was (`check_issuer`).

    `claims_status` is read from the signed payload only: a PID without it there is refused.
    An issuer may have made `status` a disclosure (`sd_jwt_vc.verify` refuses it when shown),
    and a holder who withholds that disclosure leaves only an anonymous digest: the PID's
    revocation could not be checked, and a revoked PID would still prove who it names."""
    if claims_status is None:
        raise PresentationRejected(
            "the PID's revocation status cannot be checked: it carries no status (a Token "
            "Status List reference) in its issuer-signed payload, where the PID rulebook and "
            "draft-ietf-oauth-sd-jwt-vc section 3.2.2.2 keep it; present a PID whose issuer "
            "keeps its status plain")
    reference = claims_status.get("status_list") if isinstance(claims_status, Mapping) else None
    index = reference.get("idx") if isinstance(reference, Mapping) else None
    if not isinstance(reference, Mapping) or not isinstance(reference.get("uri"), str) \
            or isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise PresentationRejected("the credential's status claim is malformed")
    try:
        token = fetch(reference["uri"])
    except Exception as exc:  # the list is unreachable: the status cannot be known
        raise PresentationRejected("the credential's status list could not be fetched: "
                                   f"{type(exc).__name__}", error="status_unavailable",
                                   status=503) from None
    try:
        header = sd_jwt_vc.unverified_header(token)
        if header.get("typ") != status_list.TYP:
            raise InvalidSdJwt(f"the status list's typ must be {status_list.TYP}")
        chain = _same_issuer(header.get("x5c"), issued_by, now=now)
        from joserfc.jwk import ECKey, RSAKey

        alg = header.get("alg")
        if alg not in sd_jwt_vc.ALGORITHMS:
            raise InvalidSdJwt("the status list's alg is not accepted")
        key = (ECKey if alg.startswith("ES") else RSAKey).import_key(chain.public_key_pem)
        _, claims = sd_jwt_vc.verify_jws(token, key, [alg])
        if "iss" in claims and claims["iss"] != iss:
            raise InvalidSdJwt("the status list's iss is not the credential's issuer")
        listed = status_list.check_token_claims(claims, expected_uri=reference["uri"],
                                                now=now.timestamp())
        bits = listed.get("bits", 1)
        if isinstance(bits, bool) or not isinstance(bits, int):  # section 4.2: 1, 2, 4 or 8
            raise InvalidSdJwt("status_list.bits must be the integer 1, 2, 4 or 8")
        value = status_list.decode_status(str(listed["lst"]), index, bits=bits)
    except InvalidSdJwt as exc:
        raise PresentationRejected(f"status list: {exc.description}") from None
    if trust.fingerprint(chain.leaf) != trust.fingerprint(issued_by.leaf):
        try:
            check_issuer(chain)
        except InvalidSdJwt as exc:
            raise PresentationRejected(f"status list: {exc.description}", error=exc.error,
                                       status=exc.status) from None
    if value != status_list.VALID:
        raise PresentationRejected("the credential was revoked or suspended by its issuer",
                                   error="credential_revoked")


def _same_issuer(x5c: object, issued_by: TrustedChain, *, now: datetime) -> TrustedChain:
    """The status list's chain, if the credential's issuer signed it: the chain ends at the
    same trust anchor and its signing certificate names the same subject (the same
    certificate, or another the same CA gave the same provider). Any trusted issuer is not
    enough: another PID provider could otherwise vouch for the status of this provider's PIDs
    (draft, "Key Resolution and Trust Management": the same key, or the same key resolution,
    as the Referenced Token's)."""
    expected = issued_by.leaf.subject.rfc4514_string()
    try:
        chain = trust.check_chain(x5c, anchors=[issued_by.anchor], now=now)
    except trust.UntrustedIssuer as exc:
        raise InvalidSdJwt(f"it is not signed by the credential's issuer {expected} "
                           f"({exc.description})") from None
    if issuer_key(chain) != issuer_key(issued_by):
        raise InvalidSdJwt(f"it is signed by {chain.leaf.subject.rfc4514_string()}, not by "
                           f"the credential's issuer {expected}")
    return chain


def issuer_key(chain: TrustedChain) -> str:
    """Who signs with this chain, as `_same_issuer` compares a status list's signer with the
    credential's: its trust anchor and its signing certificate's subject (SHA-256 over both,
    base64url, 43 characters: short enough for a proofing's evidence)."""
    digest = hashlib.sha256(chain.anchor.fingerprint(hashes.SHA256())
                            + chain.leaf.subject.public_bytes()).digest()
    return jose.b64url(digest)


_ALPHA2 = re.compile(r"[A-Za-z]{2}")


def check_issuing_country(chain: TrustedChain, claimed: object) -> str:
    """A PID provider speaks only for its own country: the PID's `issuing_country` must be
    the countryName (C=) of the certificate that signed it (the `x5c` leaf). Returns the
    country (upper case).

    Why: `issuing_country` is "the alpha-2 country code, as specified in ISO 3166-1, of the
    country or territory of the provider of the person identification data" (CIR 2024/2977,
    Annex, Table 5; EUDI ARF Annex 3.01, PID Rulebook, section 2.4): it names the provider,
    and only the provider's certificate can vouch for it. A trust list holds the PID
    providers of every Member State (PID Rulebook, chapter 6: each is notified with its trust
    anchors and published in the Commission's Trusted List), so a chain that reaches a
    trusted anchor proves that *a* PID provider signed, not that it may speak for this
    country's citizens. The signing certificate of a PID provider, a legal person, carries
    the country where it is established in its subject's countryName (ETSI EN 319 412-3,
    clause 4.2.1); in the mdoc encoding of the same PID the document signer certificate's
    countryName is likewise the issuing country (ISO/IEC 18013-5, Annex B). The leaf is
    used, not the CA: a CA (a qualified trust service provider) may certify providers of
    other countries, and its own country says nothing about theirs.
    """
    subject = chain.leaf.subject.rfc4514_string()
    found = trust.countries(chain.leaf)
    if len(found) != 1 or not _ALPHA2.fullmatch(found[0]):
        log.warning("PID refused: its provider's certificate names no single country",
                    extra={"issuer": subject, "countries": found})
        raise PresentationRejected(
            f"the PID provider's certificate {subject} does not name one country (countryName, "
            "C=), so which country's PIDs it may issue is unknown: the provider must name its "
            "country in its PID signing certificate; meanwhile present a PID from another "
            "provider", error="issuer_country_mismatch")
    country = found[0].upper()
    if not isinstance(claimed, str) or not _ALPHA2.fullmatch(claimed):
        raise PresentationRejected(f"the PID's issuing_country {claimed!r} is not an ISO 3166-1 "
                                   "alpha-2 country code", error="issuer_country_mismatch")
    if claimed.upper() != country:
        log.warning("PID refused: its provider speaks for another country", extra={
            "issuer": subject, "certificate_country": country, "issuing_country": claimed})
        raise PresentationRejected(
            f"the PID says it was issued in {claimed.upper()} (issuing_country), but its "
            f"provider's certificate {subject} names {country}: a PID provider can only issue "
            "PIDs of its own country. Present the PID from your own country's PID provider",
            error="issuer_country_mismatch")
    return country


PID_MAX_LIFETIME = 366 * 86400
"""Seconds a PID may still be valid when presented: a PID whose `exp` lies further ahead is
refused as if it had none (a year and a day: issuers re-issue PIDs well within that)."""


def check_pid_expiry(payload: Mapping[str, Any], *, now: datetime) -> None:
    """PID rulebook (ARF annex 3.1): a PID carries its expiry (`exp` in SD-JWT VC encoding);
    one without it, or valid for longer than `PID_MAX_LIFETIME` from now, never expires for
    Cédula and is refused. `sd_jwt_vc.verify` has refused an expired or non-numeric one."""
    exp = payload.get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise PresentationRejected("the PID has no expiry (exp), which the PID rulebook "
                                   "requires: ask the issuer for a PID that carries one")
    if exp - now.timestamp() > PID_MAX_LIFETIME:
        raise PresentationRejected(f"the PID's expiry (exp) is more than {PID_MAX_LIFETIME // 86400} "
                                   "days ahead, longer than a PID is valid for")


def verify(store: Store, *, form: Mapping[str, str], anchors: Sequence[x509.Certificate],
           fetch_status: StatusFetcher, check_issuer: IssuerCheck, pid_vct: str,
           now: datetime, max_age: int) -> tuple[vp_request.PresentationRequest, ProvenIdentity]:
    """Sections 8.2 and 8.6: the request this `state` names (taken once), then the PID:
    signature and chain, its issuing country against the issuer certificate's
    (`check_issuing_country`), then the issuer certificate's revocation (`check_issuer`), then
    the credential's own status."""
    request = vp_request.take(store, form.get("state"))
    if request is None:
        raise PresentationRejected("state is unknown, expired or was already answered: "
                                   "start again from Cédula", error="invalid_request")
    if form.get("error"):
        raise PresentationRejected(f"the wallet declined: {form.get('error')}",
                                   error="access_denied")
    token = _vp_token(form.get("vp_token"))
    if set(token) != {dcql.CREDENTIAL_ID}:
        raise PresentationRejected(f"vp_token must answer exactly {dcql.CREDENTIAL_ID!r}")
    presentations = token[dcql.CREDENTIAL_ID]
    if not isinstance(presentations, list) or len(presentations) != 1 \
            or not isinstance(presentations[0], str):
        raise PresentationRejected("vp_token.pid must be an array of one SD-JWT presentation")
    try:
        verified = sd_jwt_vc.verify(presentations[0], anchors=anchors, now=now,
                                    nonce=request.nonce, audience=request.client_id,
                                    max_kb_age=max_age,
                                    # what the request advertised (vp_request: kb-jwt_alg_values)
                                    kb_algorithms=sd_jwt_vc.HOLDER_ALGORITHMS)
    except InvalidSdJwt as exc:
        raise PresentationRejected(exc.description, error=exc.error) from None
    if verified.issuer_chain is None:
        raise PresentationRejected("the PID issuer's certificate chain is missing")
    check_pid_expiry(_issuer_payload(presentations[0]), now=now)
    if "issuing_country" in verified.claims:  # not disclosed: refused below (dcql.check)
        check_issuing_country(verified.issuer_chain, verified.claims["issuing_country"])
    try:
        check_issuer(verified.issuer_chain)
    except InvalidSdJwt as exc:
        raise PresentationRejected(exc.description, error=exc.error, status=exc.status) from None
    payload_status = _issuer_payload(presentations[0]).get("status")
    check_status(payload_status, fetch=fetch_status, issued_by=verified.issuer_chain,
                 iss=verified.claims.get("iss"), check_issuer=check_issuer, now=now)
    vct = str(verified.claims.get("vct"))
    if vct != pid_vct:
        raise PresentationRejected(f"the credential is not a PID ({pid_vct}), but {vct!r}")
    found = dcql.check(request.query, credential_id=dcql.CREDENTIAL_ID, vct=vct,
                       claims=verified.claims)
    identity = ProvenIdentity(
        purpose=request.purpose, citizen_id=request.citizen_id,
        family_name=str(found["family_name"]), given_name=str(found["given_name"]),
        birthdate=str(found["birthdate"]), national_id=str(found["personal_administrative_number"]),
        issuing_country=str(found["issuing_country"]), issuer=str(verified.claims.get("iss")),
        issuer_id=issuer_key(verified.issuer_chain), **_evidence(_issuer_payload(presentations[0])))
    return request, identity


def _evidence(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The PID's `exp` and status list reference (both checked by `verify` already), and its
    `iat` (0 when absent or not a number)."""
    reference = (payload.get("status") or {}).get("status_list") or {}
    iat = payload.get("iat")
    issued_at = int(iat) if isinstance(iat, int | float) and not isinstance(iat, bool) else 0
    return {"expires_at": int(payload.get("exp", 0)), "status_uri": str(reference.get("uri", "")),
            "status_index": int(reference.get("idx", -1)), "issued_at": issued_at}


def _issuer_payload(presentation: str) -> dict[str, Any]:
    from idp.wallet import sd_jwt
    from idp.wallet.sd_jwt_vc import LIMITS
    from infra import jose

    try:  # verified already: only read here
        return jose.unverified(sd_jwt.parse(presentation).jws, limits=LIMITS).claims()
    except jose.JoseError:
        return {}


def keep_result(store: Store, identity: ProvenIdentity, *, ttl: int) -> str:
    """A one-time `response_code` for the browser to redeem the result with."""
    code = secrets.token_urlsafe(32)
    store.set(_RESULT + hashlib.sha256(code.encode()).hexdigest(),
              json.dumps(asdict(identity)).encode(), ttl)
    return code


def redeem(store: Store, response_code: object, *, citizen_id: str) -> ProvenIdentity | None:
    """The result for this code, once, and only for the session that made the request."""
    if not isinstance(response_code, str) or len(response_code) > 128:
        return None
    raw = store.take(_RESULT + hashlib.sha256(response_code.encode()).hexdigest())
    if raw is None:
        return None
    identity = ProvenIdentity(**json.loads(raw))
    return identity if identity.citizen_id == str(citizen_id) else None


def _plain(text: str) -> str:
    """Names compared as people write them: case, accents and spacing aside."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def matches(identity: ProvenIdentity, *, given_name: str, family_name: str, birthdate: str,
            national_id: str, country: str, normalise_id: Callable[[str], str]) -> list[str]:
    """Which facts of the PID differ from the citizen's record (empty: it is them)."""
    differences = []
    if identity.issuing_country.upper() != country.upper():
        differences.append("issuing_country")
    try:
        pid_number = normalise_id(identity.national_id)
    except ValueError:
        pid_number = None
    if pid_number != national_id:
        differences.append("personal_administrative_number")
    if identity.birthdate != birthdate:
        differences.append("birthdate")
    if _plain(identity.given_name) != _plain(given_name):
        differences.append("given_name")
    if _plain(identity.family_name) != _plain(family_name):
        differences.append("family_name")
    return differences
