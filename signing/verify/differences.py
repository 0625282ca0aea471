"""What changed in a PDF after a signature, in categories a person understands.

pyHanko's difference analysis (`pyhanko.sign.diff_analysis`, `DEFAULT_DIFF_POLICY`) compares
the signed revision with every later incremental update (ISO 32000-1, 7.5.6) and grades the
changes with a `ModificationLevel`: NONE, LTA_UPDATES (DSS, document time-stamps),
FORM_FILLING (form fields filled in, new signatures), ANNOTATIONS, OTHER (anything else: page
content, fonts, redefined objects). Together with the signature's coverage of the file this
gives `report.Modifications.level`:

- none: the signature covers the whole file;
- unchanged: bytes follow the signature but change nothing pyHanko or Cédula's policy sees
  (a second `startxref ... %%EOF` naming the signed revision, an update that lists no object:
  `empty_updates`): what is shown is what was signed, yet the signature does not cover the
  whole file;
- unreferenced: an update defined only new objects that nothing in the document refers to
  (`unreferenced`): pyHanko clears them as LTA updates, yet they are no validation data, and
  nothing shown changes;
- validation_data: only validation data and time-stamps were added;
- signatures: only further signatures were added;
- form_filling / annotations: changes the PDF standard allows but that alter the view;
- metadata: changes of what the document claims (/Info, XMP, /MarkInfo, /Version), found by
  Cédula's own policy (`policy`), which also catches form appearance switches
  (/NeedAppearances, /DA, ...) that pyHanko lets pass;
- beyond_certification: signatures or form fields added or filled in after a certification
  whose DocMDP permissions forbid them (P 1: no change at all);
- other: forbidden changes, or other changes beyond the DocMDP permissions of a certification
  (said as layers switched, `Modifications.change`, when the layers hidden at opening changed);
- appended: bytes that belong to no revision follow the file's last %%EOF;
- unclear: the byte range does not cover its revision as the standard requires.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult, ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import LocalKnowledge
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from signing import hidden_layers, rectangles
from signing.print_states import HIDDEN, NO_VIEW, PRINT, TOGGLE_NO_VIEW, annotation_flags
from signing.verify import active_content, empty_updates, policy, unlisted, unreferenced
from signing.verify.byterange import RawCoverage
from signing.verify.compromise import without_lifted_holds
from signing.verify.report import Modifications

DIFF_POLICY = DEFAULT_DIFF_POLICY
TAIL = 64 * 1024  # bytes read from the end to find the last %%EOF

_LEVELS = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "validation_data",
    ModificationLevel.FORM_FILLING: "form_filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}


def analyse(embedded: EmbeddedPdfSignature, signature_fields: set[str],
            raw: RawCoverage) -> Modifications:
    """The changes after `embedded` (after `compute_integrity_info`), `_graded`; a change of
    content names the layers switched on or off since (`hidden_layers.switched`: the hide-
    and-replace shadow attack by optional content, said as such)."""
    found = _graded(embedded, signature_fields, raw)
    if found.level != "other":
        return found
    reader = embedded.reader
    try:
        layers = hidden_layers.switched(reader.get_historical_root(embedded.signed_revision),
                                        reader.root)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return found  # the verdict stands; the layers cannot be told
    return replace(found, layers=layers)


def _graded(embedded: EmbeddedPdfSignature, signature_fields: set[str],
            raw: RawCoverage) -> Modifications:
    """The changes after `embedded`, graded.

    `signature_fields`: names of the filled signature fields of the document, so that adding
    a later signature is told apart from filling in an ordinary form field.
    `raw`: the byte-level check of the signature (`byterange.check`), which alone decides
    whether the signature covers the whole file: pyHanko's own verdict is not trusted for that.
    """
    if raw.entire_file:
        return Modifications("none")
    coverage: object = embedded.coverage  # pyHanko declares it None until validation sets it
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return Modifications("unclear", detail="the byte range does not cover its revision")
    if _data_after_last_revision(embedded.reader):
        return Modifications("appended", detail="bytes after the last %%EOF")
    stray = unlisted.unexplained(embedded.reader, _bytes_of(embedded.reader), raw.signed_end)
    if stray is not None:  # objects or sections that only some readers see (`unlisted`)
        return Modifications("appended", detail=f"bytes at offset {stray} that no "
                             "cross-reference section accounts for")
    diff: object = embedded.diff_result  # pyHanko declares it None until validation sets it
    if not isinstance(diff, DiffResult):  # pyHanko refused a change (SuspiciousModification)
        return Modifications("other", detail=str(diff) if diff is not None else None,
                             change=_named_change(embedded))
    if not embedded.summarise_integrity_info()["docmdp_ok"]:
        if diff.modification_level <= ModificationLevel.FORM_FILLING:
            # what an uncertified document may receive (a signature, a filled field), which
            # the certification forbids: not a change of content (ISO 32000-1, 12.8.2.2)
            return Modifications("beyond_certification",
                                 fields=tuple(sorted(diff.changed_form_fields)),
                                 detail="changes beyond the certification's permissions")
        return Modifications("other", detail="changes beyond the certification's permissions")
    level = _LEVELS[diff.modification_level]
    fields = tuple(sorted(diff.changed_form_fields))
    if level == "form_filling":
        others = tuple(f for f in fields if f not in signature_fields)
        if others:
            return Modifications("form_filling", fields=others)
        level = "signatures"
    if level in ("none", "validation_data", "signatures"):
        # pyHanko grades a new signature field by its own reading of /Rect: one it calls
        # invisible is an LTA update, unlisted, allowed under any lock or certification.
        # Cédula's reading decides whether it is drawn over the page.
        added = _signature_fields_since(embedded.reader, embedded.signed_revision)
        acting = active_content.acting_fields(embedded.reader, tuple(sorted({*fields, *added})))
        if acting:  # what the viewer runs was not signed (`active_content`)
            return Modifications("other", fields=acting, detail="a signature field with "
                                 "actions (JavaScript, ...) was added or filled after signing")
        shown = _visible_fields(embedded.reader, tuple(sorted({*fields, *added})))
        if shown and embedded.docmdp_level is not None:  # ISO 32000-2, 12.8.2.2.2
            return Modifications("other", fields=shown, detail="a signature field drawn on "
                                 "the page was added after the certification")
        if shown:  # a later signature's widget draws its own appearance over the page
            return Modifications("form_filling", fields=shown)
        # pyHanko let it pass: Cédula's own policy decides what may follow a signature
        finding = policy.review(embedded.reader, embedded.signed_revision)
        if finding is not None:
            return Modifications(finding.level, detail=finding.detail)
        if level == "none" or (level == "validation_data" and empty_updates.carry_nothing(
                embedded.reader, embedded.signed_revision)):
            # bytes it does not sign follow the signature (`raw`), adding nothing
            return Modifications("unchanged")
        if level == "validation_data" and unreferenced.only_unreferenced(
                embedded.reader, embedded.signed_revision):
            return Modifications("unreferenced")
        return Modifications(level, fields=fields if level == "signatures" else ())
    if level == "other":
        return Modifications("other", change=_named_change(embedded))
    return Modifications(level, fields=fields if level == "annotations" else ())


def _named_change(embedded: EmbeddedPdfSignature) -> str | None:
    """What a change pyHanko calls OTHER is, when it can be named (`Modifications.change`)."""
    return "layers" if _layers_switched(embedded.reader, embedded.signed_revision) else None


def _layers_switched(reader: PdfFileReader, revision: int) -> bool:
    """Whether the layers hidden when the document opens (ISO 32000-2, 8.11.4.3: /OCProperties
    /D; `hidden_layers.off_by_default`) differ between the signed `revision` and the file: a
    layer drawing another amount shown, or the one shown hidden, with no text or font changed."""
    try:
        then = hidden_layers.off_by_default(reader.get_historical_resolver(revision).root)
        now = hidden_layers.off_by_default(reader.root)
    except (PdfError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return False
    return then.keys() != now.keys()


def only_validation_data(embedded: EmbeddedPdfSignature, modifications: Modifications) -> bool:
    """Whether what follows `embedded` (whose changes are `modifications`) is only validation
    data: a DSS (EN 319 142-1, 5.4.2), as a PAdES B-LT signature adds after itself. pyHanko
    grades a new empty or document time-stamp field as an LTA update too: any new signature
    field is more than validation data."""
    return modifications.level == "validation_data" and not _signature_fields_since(
        embedded.reader, embedded.signed_revision)


def _signature_fields_since(reader: PdfFileReader, revision: int) -> set[str]:
    """Names of the signature fields of the document that its revision `revision` lacks."""
    then = {name for name, _v, _f in
            enumerate_sig_fields(reader.get_historical_resolver(revision))}
    return {name for name, _v, _f in enumerate_sig_fields(reader)} - then


def _visible_fields(reader: PdfFileReader, names: tuple[str, ...]) -> tuple[str, ...]:
    """Those of the signature fields `names` (signed or empty) with a widget that shows on a
    page or on paper: a /Rect of some area, not hidden (ISO 32000-1, 12.7.4.5: a signature's
    appearance is whatever its stream draws, text included; the sneaky signature attack,
    Mainka et al., S&P 2021)."""
    wanted = set(names)
    shown = []
    for name, _value, field_ref in enumerate_sig_fields(reader):  # signed or not
        if name not in wanted:
            continue
        field = field_ref.get_object()  # its own widget, or its kids', or both
        widgets = [field] if "/Rect" in field else []
        widgets += [kid.get_object() for kid in field.get("/Kids", ())]
        if any(_shows(widget) for widget in widgets):
            shown.append(name)
    return tuple(sorted(shown))


def _shows(widget: Any) -> bool:
    """Whether a viewer draws `widget`. The numbers of /Rect may be indirect objects (ISO
    32000-2, 7.3.10: any object may be referenced); viewers resolve them (poppler draws a
    /Rect [0 12 0 R 595 800] with its /MK background), pyHanko's `is_annot_visible` does not
    and calls such a widget invisible."""
    try:
        flags = annotation_flags(widget)  # ISO 32000-2, 12.5.3 (/F 2.5 is no Hidden flag)
        rect = rectangles.rectangle(widget.raw_get("/Rect"))  # references resolved
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        rect = None
    if rect is None:  # no four finite numbers (pdfatk15: a 400-digit integer raised here)
        return True  # what a viewer makes of it is unknown: count it as shown
    x1, y1, x2, y2 = rect
    # Hidden is neither shown nor printed; NoView is not shown on screen but still printed
    # when Print is set (a widget only the paper shows), and shown under the pointer when
    # ToggleNoView is set (a widget that appears as the reader points at it)
    hidden = flags & HIDDEN or (flags & NO_VIEW and not flags & (PRINT | TOGGLE_NO_VIEW))
    return not hidden and abs(x2 - x1) > 0 and abs(y2 - y1) > 0


def _bytes_of(reader: PdfFileReader) -> bytes:
    stream = reader.stream
    stream.seek(0)
    return bytes(stream.read())


def _data_after_last_revision(reader: PdfFileReader) -> bool:
    """Anything but white space after the file's last %%EOF (ISO 32000-1, 7.5.5)."""
    stream = reader.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - TAIL))
    tail = stream.read()
    end = tail.rfind(b"%%EOF")
    return end < 0 or bool(tail[end + 5:].strip(b"\x00\t\n\x0c\r "))


def dss_entries(reader: PdfFileReader) -> int:
    """How many certificates, OCSP responses and CRLs the document's DSS lists (not parsed)."""
    try:
        dss = reader.root.get("/DSS")
        if dss is None:
            return 0
        dss = dss.get_object()
        return sum(len(dss.get(key, ())) for key in ("/Certs", "/OCSPs", "/CRLs"))
    except (ValueError, TypeError, KeyError, AttributeError):
        return 0


def dss_knowledge(reader: PdfFileReader, base: LocalKnowledge, *,
                  lifted_holds: bool = False) -> LocalKnowledge:
    """`base` plus the certificates, CRLs and OCSP responses of the document's DSS; CRLs whose
    only news is a hold a newer CRL lifted left out (pyHanko would keep the hold for good:
    `compromise.without_lifted_holds`) unless `lifted_holds` (who judges holds needs them)."""

    def current(crls: list[CRLContainer], certs: list[Any], ocsps: list[OCSPContainer]
                ) -> list[CRLContainer]:
        return crls if lifted_holds else without_lifted_holds(crls, certs, ocsps)

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return replace(base, known_crls=current(base.known_crls, base.known_certs,
                                                base.known_ocsps))
    ocsps = [container for ref in dss.ocsps for container in OCSPContainer.load_multi(
        asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE)))]
    crls = [CRLContainer(asn1_crl.CertificateList.load(
        ref.get_object().read_data(DecodePurpose.CRL))) for ref in dss.crls]
    certs = base.known_certs + list(dss.load_certs())
    return LocalKnowledge(known_ocsps=base.known_ocsps + ocsps,
                          known_crls=current(base.known_crls + crls, certs, base.known_ocsps + ocsps),
                          known_certs=certs,
                          known_poes=base.known_poes,
                          nonrevoked_assertions=base.nonrevoked_assertions)
