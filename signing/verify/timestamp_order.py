"""The order of a signature's own time-stamps (ETSI EN 319 102-1 V1.3.1, 5.5.4).

A content time-stamp (EN 319 122-1, 5.2.8, a signed attribute) is taken over the signed data
before signing; a signature time-stamp (5.3, an unsigned attribute) over the signature value
after it. Every signature time-stamp must therefore be at or after every content time-stamp;
a content time-stamp later than a signature time-stamp is impossible in an honestly made file:
INDETERMINATE/TIMESTAMP_ORDER_FAILURE (Table 5).

pyHanko makes this comparison only while the signer's certificate is revoked or expired with
no proof of existence (`ades._process_basic_validation` reads the content time-stamp for that
case alone): for a good signer, such a file passed. Only the times written in the tokens are
compared (TSTInfo genTime, RFC 3161, 2.4.2): a token whose authority is not trusted still
says something impossible about the file that carries it.
"""

from __future__ import annotations

from datetime import datetime

from asn1crypto import cms
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.validation import generic_cms

from signing.verify.moments import in_utc
from signing.verify.report import Conclusion, Indication

TIMESTAMP_ORDER_FAILURE = Conclusion(Indication.INDETERMINATE,
                                     AdESIndeterminate.TIMESTAMP_ORDER_FAILURE.name)


def _times(signer_info: cms.SignerInfo, *, signed: bool) -> list[datetime]:
    """The genTime of each readable time-stamp token of the signature: the content time-stamps
    (`signed`) or the signature time-stamps; a token that cannot be read is left out."""
    times = []
    for token in generic_cms.extract_tst_data_iter(signer_info, signed=signed):
        try:
            moment = in_utc(token["encap_content_info"]["content"].parsed["gen_time"].native)
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        if moment is not None:
            times.append(moment)
    return times


def content_after_signature(signer_info: cms.SignerInfo) -> bool:
    """Whether a content time-stamp of the signature is later than one of its signature
    time-stamps (False when it lacks either)."""
    content = _times(signer_info, signed=True)
    signature = _times(signer_info, signed=False)
    return bool(content and signature) and max(content) > min(signature)


def check(conclusion: Conclusion, *, out_of_order: bool) -> Conclusion:
    """INDETERMINATE/TIMESTAMP_ORDER_FAILURE for time-stamps out of order (a failure already
    found stays)."""
    if not out_of_order or conclusion.indication is Indication.TOTAL_FAILED:
        return conclusion
    return conclusion.worst(TIMESTAMP_ORDER_FAILURE)
