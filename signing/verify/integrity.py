"""A signature's integrity: its coverage and what changed after it (`differences.analyse`),
or `UnreadableDocument` when the file's structure cannot be walked to find out.

pyHanko's difference analysis maps every object of the signed revision and of each later one
by walking the document from its catalog: the page tree, the structure tree, every dictionary
and array. A signed revision whose page tree is cyclic (a /Pages node that is its own kid) or
nested deeper than the parser's recursion allows cannot be walked; pyHanko raises
(`PdfReadError`, `RecursionError`). That is no finding about the signature or the signer: what
follows the signature cannot be examined, so the file cannot be checked (422 `damaged_pdf`, the
answer for any PDF that cannot be read), rather than a broken signature ("not valid").
"""

from __future__ import annotations

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from signing.verify import budget as budgets
from signing.verify.byterange import RawCoverage
from signing.verify.differences import DIFF_POLICY, analyse
from signing.verify.errors import UnreadableDocument
from signing.verify.report import Modifications


def examined(embedded: EmbeddedPdfSignature, signature_fields: set[str],
             raw: RawCoverage) -> Modifications:
    """What changed after `embedded` (`differences.analyse`), within the verification's
    budget; `UnreadableDocument` ("damaged_pdf") if the revisions cannot be walked."""
    try:
        embedded.compute_integrity_info(diff_policy=budgets.bounded_policy(DIFF_POLICY))
        return analyse(embedded, signature_fields, raw)
    except RecursionError:
        raise UnreadableDocument(
            "The PDF is nested too deeply for the changes made after its signature "
            f"«{embedded.field_name}» to be examined; it cannot be checked here. Ask the "
            "issuer for the original, or use the verification code printed on it.",
            error="damaged_pdf") from None
    except PdfError as exc:
        raise UnreadableDocument(
            "The PDF's structure cannot be walked to examine the changes made after its "
            f"signature «{embedded.field_name}» ({exc}); it cannot be checked here. Ask the "
            "issuer for the original, or use the verification code printed on it.",
            error="damaged_pdf") from None
