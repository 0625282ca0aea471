"""A signature's field locks, read from its field's /Lock when its dictionary has none.

ISO 32000-1, 12.7.4.5 (Table 232, /Lock) and 12.8.2.4 (FieldMDP): a signature field's lock
dictionary names the form fields that are locked once the field is signed; a signer may
repeat it in the signature dictionary as a FieldMDP /Reference. pyHanko's validation reads
only the /Reference (`EmbeddedPdfSignature.fieldmdp`, "TODO ... fall back to /Lock"), so a
locked field filled in after signing counted as ordinary form filling. The /Lock read is the
field's current one: removing or changing it after signing is itself a forbidden change of
the signed field (pyHanko's difference analysis).
"""

from __future__ import annotations

from pyhanko.sign.fields import FieldMDPSpec
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature


class LockedFieldsSignature(EmbeddedPdfSignature):
    """pyHanko's embedded signature whose FieldMDP falls back to its field's /Lock."""

    @property
    def fieldmdp(self) -> FieldMDPSpec | None:
        declared = super().fieldmdp
        if declared is not None:
            return declared
        lock = self.sig_field.get("/Lock")
        if lock is None:
            return None
        # A /Lock that cannot be read (no /Action, a /Fields that is no array) fails the
        # signature as malformed: what the signer locked cannot be known.
        spec = FieldMDPSpec.from_pdf_object(lock.get_object())
        self._fieldmdp = spec
        return spec
