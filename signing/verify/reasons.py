"""The plain-words reason of a signature's verdict, where the sub-indication alone misleads.

`indication.reason` names the reason after the EN 319 102-1 sub-indication (Table 5). A few
sub-indications cover cases a person must be told apart, and only the facts found around
the validation tell them apart:

- HASH_FAILURE while the signed attributes' message digest matches the document: the
  document is intact, the signature value or its time-stamp is not (`timestamp_hash_failure`);
- NO_CERTIFICATE_CHAIN_FOUND for a signer whose chain is trusted: the signature's time-stamp
  comes from an authority not trusted here (`timestamp_untrusted`);
- OUT_OF_BOUNDS_NO_POE with a valid signature time-stamp taken after the signer's certificate
  expired (5.2.7, 5.5.4): there is a time-stamp, it only proves that the signature existed
  once the certificate had expired (`expired_before_timestamp`), not "no time-stamp";
- TIMESTAMP_ORDER_FAILURE with a content time-stamp later than the signature time-stamp
  (5.5.4, `signing.verify.timestamp_order`): which time-stamps, and why that cannot be
  (`content_timestamp_after_signature`).
"""

from __future__ import annotations

from datetime import datetime


def refined(reason: str, *, digest_matches: bool, chain_trusted: bool,
            timestamp_valid: bool | None, proven_by_stamp: datetime | None,
            not_after: datetime, content_after_signature: bool) -> str:
    """`reason` (`indication.reason`) told apart by the facts found around the validation.

    `timestamp_valid`: whether the signature time-stamp is valid (None: there is none);
    `proven_by_stamp`: the time it proves, if valid; `not_after`: the signer certificate's;
    `content_after_signature`: a content time-stamp is later than the signature time-stamp."""
    if reason == "hash_failure" and digest_matches:
        return "timestamp_hash_failure"
    if reason == "no_certificate_chain_found" and chain_trusted and timestamp_valid is False:
        return "timestamp_untrusted"
    if reason == "out_of_bounds_no_poe" and timestamp_valid and proven_by_stamp is not None \
            and proven_by_stamp > not_after:
        return "expired_before_timestamp"
    if reason == "timestamp_order_failure" and content_after_signature:
        return "content_timestamp_after_signature"
    return reason
