"""The CMS signed attributes a PDF signature must carry, checked before pyHanko validates it.

- RFC 5652, 5.3 and 11.1-11.2: a SignerInfo with signed attributes carries exactly one
  content-type and one message-digest attribute; without the digest nothing ties the
  signature to the document (pyHanko answers INDETERMINATE; this is a malformed signature).
- ETSI EN 319 142-1, 6.3 (PAdES baseline) and EN 319 122-1, 5.2.2.3: an /ETSI.CAdES.detached
  signature has signed attributes with exactly one ESS signing-certificate-v2 (or
  signing-certificate) attribute. It binds the signer's certificate to the signature: without
  it another certificate for the same key (another name, policy or assurance level) can be put
  in the CMS, and pyHanko and pdfsig both accept the exchange.

- RFC 5652, 11.1-11.3 (and 5.3: "SignedAttributes MUST NOT include multiple instances of"
  these): content-type, message-digest and signing-time are single-valued and appear at most
  once. With two signing times (two attributes, or two values in one) the report showed one
  of them, chosen by the reader, as the time the signer declared.

A missing or repeated attribute is TOTAL-FAILED/FORMAT_FAILURE (EN 319 102-1, 5.2.2).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

CADES = "/ETSI.CAdES.detached"
MANDATORY = ("content_type", "message_digest")
SINGLE = (*MANDATORY, "signing_time")  # single-valued, at most once (RFC 5652, 11)
SIGNING_CERTIFICATE = ("signing_certificate_v2", "signing_certificate")


def problem(signer_info: Any, *, subfilter: str) -> str | None:
    """What is wrong with the signed attributes of `signer_info` (an asn1crypto SignerInfo)
    of a signature with `subfilter`, or None."""
    attributes = signer_info["signed_attrs"]
    if not attributes:
        return "a CAdES signature has no signed attributes" if subfilter == CADES else None
    counts = Counter(attribute["type"].native for attribute in attributes)
    for name in MANDATORY:
        if counts[name] != 1:
            return f"the signed attributes hold {counts[name]} {name} attributes, not one"
    if counts["signing_time"] > 1:
        return f"the signed attributes hold {counts['signing_time']} signing-time attributes"
    for attribute in attributes:
        if attribute["type"].native in SINGLE and len(attribute["values"]) != 1:
            return f"the {attribute['type'].native} attribute holds " \
                   f"{len(attribute['values'])} values, not one"
    if subfilter == CADES:
        found = sum(counts[name] for name in SIGNING_CERTIFICATE)
        if found != 1:
            return (f"the signed attributes hold {found} signing-certificate(-v2) attributes, "
                    "not one: nothing binds the certificate to the signature")
    return None


def digest_matches(signer_info: Any, document_digest: bytes) -> bool:
    """Whether the message-digest attribute of `signer_info` is `document_digest` (the byte
    range's digest): then a HASH_FAILURE is not the document's but a time-stamp's (its
    message imprint is not of this signature, EN 319 102-1, 5.4)."""
    values = [attribute["values"] for attribute in signer_info["signed_attrs"] or ()
              if attribute["type"].native == "message_digest"]
    return len(values) == 1 and len(values[0]) == 1 and values[0][0].native == document_digest
