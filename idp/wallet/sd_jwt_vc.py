"""SD-JWT-based Verifiable Credentials (draft-ietf-oauth-sd-jwt-vc): what Cédula issues for a
document, the type metadata of each template, and how an SD-JWT VC presentation is verified.

A credential is the document's template data, every field selectively disclosable, plus
the claims the type says are always shown (issuing authority and country). It is signed by
the issuing agency's seal key (`x5c`: seal certificate and issuing CA of the document PKI,
the same trust anchor as the sealed PDF) and bound to the holder's key with `cnf`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from idp.wallet import sd_jwt, trust
from idp.wallet.errors import InvalidSdJwt
from infra import jose

TYP = "dc+sd-jwt"
KB_TYP = "kb+jwt"
FORMAT = "dc+sd-jwt"
ALGORITHMS = ("ES256", "ES384", "RS256", "PS256")
HOLDER_ALGORITHMS = ("ES256", "ES384")
# Key binding JWT algorithms `verify` accepts unless its caller names fewer: a verifier that
# advertised `kb-jwt_alg_values` (OpenID4VP 1.0, Appendix B.3.2) passes exactly those.
KB_ALGORITHMS = (*HOLDER_ALGORITHMS, "RS256", "PS256")
MAX_HEADER = 16 * 1024
LIMITS = jose.Limits(header=MAX_HEADER)  # x5c chains are larger than joserfc's default 512
# Shown in every credential of every type (sd "never" in the type metadata).
ALWAYS_SHOWN = ("issuing_authority", "issuing_country")

_NAMES = {
    "birth": {"es": "Certificado de nacimiento", "en": "Birth certificate"},
    "residence": {"es": "Certificado de residencia", "en": "Certificate of residence"},
}


def vct(issuer: str, template: str) -> str:
    """The type of a template's credentials: a URL that resolves to its type metadata."""
    return f"{issuer.rstrip('/')}/wallet/types/{template}"


def configuration_id(template: str) -> str:
    return f"{template}_dc+sd-jwt"


def _claim_paths(schema: Mapping[str, Any], prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths: list[tuple[Any, ...]] = []
    for name, spec in schema.get("properties", {}).items():
        path = (*prefix, name)
        paths.append(path)
        if spec.get("type") == "object":
            paths.extend(_claim_paths(spec, path))
        elif spec.get("type") == "array" and spec.get("items", {}).get("type") == "object":
            paths.extend(_claim_paths(spec["items"], (*path, None)))
    return paths


def _title(schema: Mapping[str, Any], path: Sequence[Any]) -> str:
    spec: Mapping[str, Any] = schema
    for step in path:
        spec = spec["items"] if step is None else spec["properties"][step]
    return str(spec.get("title") or path[-1])


def type_metadata(issuer: str, template: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """SD-JWT VC type metadata (draft section 6): names, and for each claim its display
    name and whether it is selectively disclosable (`allowed`) or always shown (`never`)."""
    names = _NAMES.get(template, {"es": template, "en": template})
    claims: list[dict[str, Any]] = []
    for path in _claim_paths(schema):
        claims.append({"path": list(path), "sd": "allowed",
                       "display": [{"locale": "en", "label": _title(schema, path)}]})
    claims.append({"path": ["verification_code"], "sd": "allowed",
                   "display": [{"locale": "es", "label": "Código seguro de verificación"},
                               {"locale": "en", "label": "Verification code"}]})
    claims.append({"path": ["issuing_authority"], "sd": "never",
                   "display": [{"locale": "es", "label": "Autoridad emisora"},
                               {"locale": "en", "label": "Issuing authority"}]})
    claims.append({"path": ["issuing_country"], "sd": "never",
                   "display": [{"locale": "es", "label": "País emisor"},
                               {"locale": "en", "label": "Issuing country"}]})
    return {
        "vct": vct(issuer, template),
        "name": names["en"],
        "description": str(schema.get("description", "")),
        "display": [{"locale": "es", "name": names["es"]}, {"locale": "en", "name": names["en"]}],
        "claims": claims,
    }


def always_shown(metadata: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The claim paths the type metadata marks `sd: never`."""
    return [tuple(c["path"]) for c in metadata.get("claims", []) if c.get("sd") == "never"]


@dataclass(frozen=True)
class Issued:
    sd_jwt: str
    disclosures: int


def issue(*, sign: Callable[[Mapping[str, Any], Mapping[str, Any]], str], issuer: str,
          type_id: str, claims: Mapping[str, Any], always: Sequence[tuple[str, ...]],
          holder_jwk: Mapping[str, Any], status: Mapping[str, Any], issued_at: int,
          expires_at: int) -> Issued:
    """An SD-JWT VC (draft section 3.2): `sign(header, payload)` makes the issuer JWS."""
    payload, disclosures = sd_jwt.make_disclosable(claims, always=always)
    payload.update({"iss": issuer, "vct": type_id, "iat": issued_at, "exp": expires_at,
                    "cnf": {"jwk": dict(holder_jwk)}, "status": dict(status)})
    token = sign({"typ": TYP}, payload)
    return Issued(sd_jwt.serialize(token, disclosures), len(disclosures))


def import_public_jwk(value: Any) -> ECKey | RSAKey:
    """A public JWK from a header or `cnf`; a private one is refused."""
    if not isinstance(value, Mapping) or value.get("kty") not in ("EC", "RSA"):
        raise InvalidSdJwt("the key must be a public EC or RSA JWK")
    if "d" in value:
        raise InvalidSdJwt("the key must be public: a JWK with a private part (d) was sent")
    try:
        if value["kty"] == "EC":
            return ECKey.import_key(dict(value))
        return RSAKey.import_key(dict(value))
    except (JoseError, ValueError, TypeError, KeyError):
        raise InvalidSdJwt("the JWK is not a valid public key") from None


def verify_jws(token: str, key: Any, algorithms: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a compact JWS whose signature `key` verifies (joserfc)."""
    try:
        verified = jose.verify_compact(token, key, algorithms=algorithms, limits=LIMITS)
    except (JoseError, ValueError, TypeError):
        raise InvalidSdJwt("the signature does not verify") from None
    try:
        return verified.header, verified.claims()
    except JoseError:
        raise InvalidSdJwt("the JWT payload is not a JSON object") from None


def unverified_header(token: str) -> dict[str, Any]:
    try:
        return jose.unverified(token, limits=LIMITS).header  # to choose the key, nothing more
    except JoseError:
        raise InvalidSdJwt("the JWT header is not a JSON object") from None


@dataclass(frozen=True)
class Verified:
    """A verified SD-JWT VC presentation: disclosed claims, issuer's leaf certificate."""

    claims: dict[str, Any]
    issuer_certificate: x509.Certificate
    holder_jwk: dict[str, Any]
    kb_claims: dict[str, Any] | None
    issuer_chain: trust.TrustedChain | None = None  # for the issuer's revocation check


def verify(presentation: str, *, anchors: Sequence[x509.Certificate], now: datetime,
           nonce: str | None, audience: str | None, require_kb: bool = True,
           max_kb_age: int = 300, leeway: int = 30,
           kb_algorithms: Sequence[str] = KB_ALGORITHMS) -> Verified:
    """RFC 9901 section 7.1-7.3 and the SD-JWT VC draft section 3: issuer signature by an
    `x5c` key chained to `anchors`, typ, no registered claim among the disclosures (draft
    section 3.2.2.2), exp/nbf, disclosures, and the KB-JWT (typ, holder
    key from `cnf`, `sd_hash`, `nonce`, `aud`, `iat` within `max_kb_age`, its alg one of
    `kb_algorithms`)."""
    parsed = sd_jwt.parse(presentation)
    header = unverified_header(parsed.jws)
    if header.get("typ") != TYP:
        raise InvalidSdJwt(f"typ must be {TYP}, got {header.get('typ')!r}")
    if header.get("alg") not in ALGORITHMS:
        raise InvalidSdJwt(f"alg must be one of {', '.join(ALGORITHMS)}")
    chain = trust.check_chain(header.get("x5c"), anchors=anchors, now=now)
    key = (ECKey if header["alg"].startswith("ES") else RSAKey).import_key(chain.public_key_pem)
    _, payload = verify_jws(parsed.jws, key, [header["alg"]])
    # Draft section 3.2.2.2: these MUST NOT be disclosures. Read from the payload only, a
    # disclosable one is whatever the holder chooses: `status` left out would skip the
    # revocation check, `exp` the expiry, `cnf` the key binding. (One the holder leaves out
    # cannot be seen: only its digest is there; so a PID without them in the payload is
    # refused by the verifier: vp_response.check_status, check_pid_expiry.)
    disclosed = sorted(sd_jwt.top_level_names(payload, parsed.disclosures) & sd_jwt.NOT_DISCLOSABLE)
    if disclosed:
        raise InvalidSdJwt(
            f"the credential's issuer made {', '.join(repr(n) for n in disclosed)} selectively "
            "disclosable, which an SD-JWT VC must not (draft-ietf-oauth-sd-jwt-vc, section "
            "3.2.2.2: iss, nbf, exp, cnf, vct, vct#integrity and status stay in the signed "
            "payload); it cannot be accepted: ask the issuer for a credential that keeps them plain")
    current = now.timestamp()
    for name in ("iss", "vct"):
        if not isinstance(payload.get(name), str):
            raise InvalidSdJwt(f"the credential has no {name}")
    # A present exp or nbf that is not a number is refused, never read as "no limit".
    exp = jose.numeric_date(payload, "exp", error=InvalidSdJwt, what="the credential's ")
    nbf = jose.numeric_date(payload, "nbf", error=InvalidSdJwt, what="the credential's ")
    if exp is not None and current >= exp + leeway:
        raise InvalidSdJwt("the credential expired")
    if nbf is not None and current + leeway < nbf:
        raise InvalidSdJwt("the credential is not valid yet")
    claims = sd_jwt.reconstruct(payload, parsed.disclosures)
    holder = (payload.get("cnf") or {}).get("jwk") if isinstance(payload.get("cnf"), dict) else None
    kb_claims = None
    if parsed.kb_jwt is None:
        if require_kb:
            raise InvalidSdJwt("the presentation has no key binding JWT")
    else:
        if holder is None:
            raise InvalidSdJwt("the credential names no holder key (cnf.jwk)")
        kb_header = unverified_header(parsed.kb_jwt)
        if kb_header.get("typ") != KB_TYP:
            raise InvalidSdJwt(f"the key binding JWT's typ must be {KB_TYP}")
        if kb_header.get("alg") not in kb_algorithms:
            raise InvalidSdJwt(
                f"the key binding JWT's alg {kb_header.get('alg')!r} is not one this verifier "
                f"accepts (kb-jwt_alg_values: {', '.join(kb_algorithms)}); sign it with one of those")
        _, kb_claims = verify_jws(parsed.kb_jwt, import_public_jwk(holder), [kb_header["alg"]])
        if kb_claims.get("sd_hash") != sd_jwt.sd_hash(parsed.without_kb):
            raise InvalidSdJwt("the key binding JWT's sd_hash does not match the presentation")
        if nonce is not None and kb_claims.get("nonce") != nonce:
            raise InvalidSdJwt("the key binding JWT's nonce is not the one this verifier sent",
                               error="invalid_nonce")
        if audience is not None and kb_claims.get("aud") != audience:
            raise InvalidSdJwt(f"the key binding JWT's aud must be {audience!r}")
        iat = jose.numeric_date(kb_claims, "iat", error=InvalidSdJwt, what="the key binding JWT's ")
        if iat is None or not current - max_kb_age - leeway <= iat <= current + leeway:
            raise InvalidSdJwt("the key binding JWT's iat is missing or not recent")
    return Verified(claims, chain.leaf, dict(holder or {}), kb_claims, chain)
