"""Selective Disclosure for JWTs (RFC 9901): disclosures, digests, the compact form, and the
checks a verifier makes before it trusts any disclosed claim.

Only what Cédula issues and accepts: SHA-256 digests (`_sd_alg` "sha-256"), 128-bit salts,
object properties and array elements, decoy digests, and key binding (section 4.3).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from idp.wallet.errors import InvalidSdJwt
from infra import jose
from infra.jose import b64url

SD_ALG = "sha-256"
SALT_BYTES = 16  # 128 bits (RFC 9901, section 9.3)
DECOYS = 2  # decoy digests per object that has disclosable claims (section 4.2.5)
_RESERVED = {"_sd", "..."}
# The registered JWT claims an SD-JWT VC MUST NOT include in disclosures (SD-JWT VC draft,
# section 3.2.2.2 "Registered JWT Claims"): a verifier refuses a credential that does
# (`sd_jwt_vc.verify`). `sub` and `iat` MAY be disclosed.
NOT_DISCLOSABLE = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})
# What Cédula's own credentials keep plain at the top: those, and iat.
NEVER_DISCLOSABLE = NOT_DISCLOSABLE | {"iat"}


def digest(text: str) -> str:
    """The digest of a disclosure or an SD-JWT, over its ASCII form (section 4.2.3)."""
    return b64url(hashlib.sha256(text.encode("ascii")).digest())


@dataclass(frozen=True)
class Disclosure:
    """One disclosure: `[salt, name, value]` for a property, `[salt, value]` for an element."""

    encoded: str
    salt: str
    name: str | None
    value: Any

    @property
    def digest(self) -> str:
        return digest(self.encoded)

    @classmethod
    def make(cls, name: str | None, value: Any) -> Disclosure:
        salt = b64url(secrets.token_bytes(SALT_BYTES))
        array = [salt, value] if name is None else [salt, name, value]
        encoded = b64url(json.dumps(array, ensure_ascii=False).encode("utf-8"))
        return cls(encoded, salt, name, value)

    @classmethod
    def parse(cls, encoded: str) -> Disclosure:
        """Section 7.1, step 3: a JSON array of two or three elements, salt a string."""
        try:
            array = json.loads(jose.b64url_decode(encoded))  # strict unpadded (section 4.2.1)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
            raise InvalidSdJwt("a disclosure is not base64url-encoded JSON") from None
        if not isinstance(array, list) or len(array) not in (2, 3) or not isinstance(array[0], str):
            raise InvalidSdJwt("a disclosure must be a JSON array [salt, (name,) value]")
        if len(array) == 2:
            return cls(encoded, array[0], None, array[1])
        if not isinstance(array[1], str) or array[1] in _RESERVED:
            raise InvalidSdJwt(f"a disclosure's claim name must be a string other than _sd "
                               f"and ..., got {array[1]!r}")
        return cls(encoded, array[0], array[1], array[2])


def _decoy() -> str:
    return digest(b64url(secrets.token_bytes(SALT_BYTES)))


def make_disclosable(claims: Mapping[str, Any], *, always: Iterable[tuple[str, ...]] = (),
                     decoys: int = DECOYS) -> tuple[dict[str, Any], list[Disclosure]]:
    """Every claim (at every depth) selectively disclosable, except the paths in `always` and
    `NEVER_DISCLOSABLE` at the top. Nested objects are disclosed structurally (section 6.3):
    an object's members are disclosable one by one, the object itself too."""
    plain = {tuple(p) for p in always}
    disclosures: list[Disclosure] = []

    def walk(value: Any, path: tuple[str, ...]) -> Any:
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            digests: list[str] = []
            for name, item in value.items():
                inner = walk(item, (*path, name))
                if (*path, name) in plain or (not path and name in NEVER_DISCLOSABLE):
                    out[name] = inner
                    continue
                disclosure = Disclosure.make(name, inner)
                disclosures.append(disclosure)
                digests.append(disclosure.digest)
            if digests:
                digests.extend(_decoy() for _ in range(decoys))
                out["_sd"] = sorted(digests)
            return out
        if isinstance(value, list):
            elements = []
            for item in value:
                disclosure = Disclosure.make(None, walk(item, (*path, "*")))
                disclosures.append(disclosure)
                elements.append({"...": disclosure.digest})
            return elements
        return value

    payload = walk(dict(claims), ())
    payload["_sd_alg"] = SD_ALG
    return payload, disclosures


@dataclass(frozen=True)
class SdJwt:
    """`<issuer JWS>~<disclosure>~...~<KB-JWT or empty>` split into its parts (section 4)."""

    jws: str
    disclosures: tuple[str, ...]
    kb_jwt: str | None = None
    raw: str = field(default="", repr=False)

    @property
    def without_kb(self) -> str:
        """The SD-JWT the KB-JWT's `sd_hash` covers (section 4.3.1)."""
        return "~".join((self.jws, *self.disclosures)) + "~"

    def serialize(self) -> str:
        return self.without_kb + (self.kb_jwt or "")


def serialize(jws: str, disclosures: Iterable[Disclosure | str], kb_jwt: str | None = None) -> str:
    parts = [d.encoded if isinstance(d, Disclosure) else d for d in disclosures]
    return "~".join((jws, *parts)) + "~" + (kb_jwt or "")


def parse(text: str, *, max_length: int = 64 * 1024) -> SdJwt:
    """Split the compact form (section 4); a trailing part is the KB-JWT."""
    if not isinstance(text, str) or not text or len(text) > max_length:
        raise InvalidSdJwt("the SD-JWT must be a non-empty string of reasonable size")
    if "~" not in text:
        raise InvalidSdJwt("an SD-JWT has its parts separated by ~ and ends with ~ or a KB-JWT")
    parts = text.split("~")
    jws, disclosures, last = parts[0], parts[1:-1], parts[-1]
    if jws.count(".") != 2:
        raise InvalidSdJwt("the issuer-signed JWT is not a compact JWS")
    if any(not d for d in disclosures):
        raise InvalidSdJwt("an SD-JWT has no empty disclosure")
    if last and last.count(".") != 2:
        raise InvalidSdJwt("the key binding JWT is not a compact JWS")
    return SdJwt(jws, tuple(disclosures), last or None, raw=text)


def top_level_names(payload: Mapping[str, Any], disclosures: Iterable[str]) -> set[str]:
    """The claim names of the disclosures referenced from the payload's own `_sd`: the
    top-level claims the issuer made selectively disclosable, among those presented."""
    digests = payload.get("_sd")
    if not isinstance(digests, list):
        return set()
    top = {d for d in digests if isinstance(d, str)}
    names = set()
    for encoded in disclosures:
        disclosure = Disclosure.parse(encoded)
        if disclosure.name is not None and disclosure.digest in top:
            names.add(disclosure.name)
    return names


def reconstruct(payload: Mapping[str, Any], disclosures: Iterable[str]) -> dict[str, Any]:
    """The processed payload (section 7.1, steps 3-5): every disclosure is referenced exactly
    once, by a digest in the payload or in another disclosure; no digest appears twice; a
    disclosed name never clashes with a plain one; `_sd` and `_sd_alg` are removed."""
    if payload.get("_sd_alg", SD_ALG) != SD_ALG:
        raise InvalidSdJwt(f"_sd_alg must be {SD_ALG}, got {payload.get('_sd_alg')!r}")
    by_digest: dict[str, Disclosure] = {}
    for encoded in disclosures:
        disclosure = Disclosure.parse(encoded)
        if disclosure.digest in by_digest:
            raise InvalidSdJwt("the same disclosure is sent twice")
        by_digest[disclosure.digest] = disclosure
    seen: set[str] = set()
    used: set[str] = set()

    def claim(digest_value: Any) -> Disclosure | None:
        if not isinstance(digest_value, str):
            raise InvalidSdJwt("a digest must be a string")
        if digest_value in seen:
            raise InvalidSdJwt("a digest appears more than once in the SD-JWT")
        seen.add(digest_value)
        found = by_digest.get(digest_value)
        if found is not None:
            used.add(digest_value)
        return found

    def walk(value: Any) -> Any:
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            digests = value.get("_sd", [])
            if not isinstance(digests, list):
                raise InvalidSdJwt("_sd must be an array of digests")
            for name, item in value.items():
                if name in ("_sd", "_sd_alg"):
                    continue
                out[name] = walk(item)
            for digest_value in digests:
                found = claim(digest_value)
                if found is None:
                    continue  # a decoy, or a claim not disclosed
                if found.name is None:
                    raise InvalidSdJwt("an array element disclosure is referenced from _sd")
                if found.name in out:
                    raise InvalidSdJwt(f"the disclosed claim {found.name!r} is also a plain claim")
                out[found.name] = walk(found.value)
            return out
        if isinstance(value, list):
            items = []
            for item in value:
                if isinstance(item, Mapping) and set(item) == {"..."}:
                    found = claim(item["..."])
                    if found is None:
                        continue
                    if found.name is not None:
                        raise InvalidSdJwt("a property disclosure is referenced as an array element")
                    items.append(walk(found.value))
                else:
                    items.append(walk(item))
            return items
        return value

    result: dict[str, Any] = walk(payload)
    if used != set(by_digest):
        raise InvalidSdJwt("a disclosure is not referenced by the SD-JWT: it was altered, or "
                           "belongs to another credential")
    return result


def sd_hash(sd_jwt_without_kb: str) -> str:
    """The `sd_hash` of a KB-JWT (section 4.3.1)."""
    return digest(sd_jwt_without_kb)


def select(disclosures: Iterable[str], payload: Mapping[str, Any],
           wanted: Iterable[tuple[str, ...]]) -> list[str]:
    """The disclosures a holder sends to reveal the claim paths in `wanted` (and the parents
    they are nested in); everything else stays hidden (section 5.2, for wallets and tests)."""
    parsed = [Disclosure.parse(d) for d in disclosures]
    by_digest = {d.digest: d for d in parsed}
    paths = {tuple(p) for p in wanted}
    chosen: list[str] = []

    def wanted_under(path: tuple[str, ...]) -> bool:
        return any(p[:len(path)] == path or path[:len(p)] == p for p in paths)

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, Mapping):
            for name, item in value.items():
                if name not in ("_sd", "_sd_alg"):
                    walk(item, (*path, name))
            for digest_value in value.get("_sd", []):
                found = by_digest.get(digest_value)
                if found is not None and found.name is not None and wanted_under((*path, found.name)):
                    chosen.append(found.encoded)
                    walk(found.value, (*path, found.name))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping) and set(item) == {"..."}:
                    found = by_digest.get(item["..."])
                    if found is not None and wanted_under(path):
                        chosen.append(found.encoded)
                        walk(found.value, path)

    walk(payload, ())
    return chosen
