"""The verification report: one shape for the page, the API and `cedula verify --json`.

JSON form (`VerificationReport.as_json(language)`); field names are stable, times are
RFC 3339 in UTC, absent values are `null`:

    {
      "indication": "TOTAL-PASSED" | "INDETERMINATE" | "TOTAL-FAILED",
      "sub_indication": null | "<ETSI EN 319 102-1 sub-indication>",
      "verdict": "valid" | "not_valid" | "indeterminate" | "revoked" | "superseded",
                                  # the one answer for people (`signing.verify.verdict`): what
                                  # the page shows first; the fields below are its grounds
      "advice": {"title", "means", "next"},      # the verdict in plain words
      "document_status": null | "valid" | "revoked" | "superseded",  # the issuer's word on
                                  # the document itself: check it first, whatever "indication"
      "summary": "<one plain sentence in the requested language>",
      "validated_at": "<time of the validation>",
      "file": {"sha256": "<hex>", "size": <bytes>},
      "signatures": [<signature>, ...],          # in signing order
      "document_timestamps": [<timestamp>, ...],  # PAdES document time-stamps
      "document": null | <issued document>,       # when this service issued the document
      "citizen_signed": null | <citizen-signed document>  # when a citizen signed it with this
                                  # service: who signed and when, never an agency's document
      "active_content": [{"kind": "actions" | "embedded_files" | "xfa" | "printed_only"
                          | "ambiguous_pages" | "annotations_without_appearance"
                          | "inconsistent_page_tree" | "replacement_text"
                          | "field_values" | "shown_on_hover" | "hidden_layer"
                          | "thumbnail" | "portfolio" | "alternate_presentation",
                          "message"}, ...]
                                  # what can act when opened or is not shown (active_content)
    }

    <signature> = {
      "field": "<signature field name>",
      "indication": ..., "sub_indication": ..., "message": "<plain words>",
      "signer": {"name", "organization", "organization_identifier", "serial_number",
                 "certificate": <certificate>},
      "signing_time": "<time the signer claims>" | null,
      "timestamp": null | {"time", "authority", "valid": bool},
      "proven_time": "<oldest proof of existence of the signature>" | null,
      "chain": [<certificate>, ...],               # signer first, trust anchor last
      "trust_anchor": <certificate> | null,
      "revocation": {"status": "good" | "revoked" | "unknown", "revoked_at", "reason",
                     "invalidity_date"},           # revoked: also when the signature predates it
      "document_timestamps_not_used": [<field>, ...],  # later document time-stamps that could
                                    # not be validated; the signature's verdict is its own
      "level": "B-B" | "B-T" | "B-LT" | "B-LTA" | null,
      "covers_whole_document": bool,
      "signed_as": "agency_seal" | "citizen_signature" | null,   # from the certificate policy
      "assurance_level": "low" | "substantial" | "high" | null,  # (own PKI's certificates only)
      "role": "<who signed as what, in words>" | null,
      "approval": null | {"status": "verified" | "failed" | "absent", "problem", "method":
                          "passkey", "user_verified": bool, "level", "approved_at", "aaguid",
                          "message": "<plain words>"},
      "modifications": {"level": "none" | "unchanged" | "unreferenced" | "validation_data"
                                  | "signatures"
                                  | "form_filling" | "annotations" | "metadata"
                                  | "beyond_certification" | "other" | "appended"
                                  | "unclear" | "not_examined",
                        "fields": [...], "explanation": "<plain words>"}
    }
    <certificate> = {"subject", "issuer", "serial", "not_before", "not_after", "sha256"}
    <timestamp> = {"field", "time", "authority", "valid": bool, "message"}
    <issued document> = {"csv", "type", "issuer", "issued_at", "status": "valid" | "revoked"
                         | "superseded", "revoked_at", "reason", "superseded_by",
                         "matched_by": "hash" | "revision" | "signed_content" | "csv",
                         "message"}
    <citizen-signed document> = {"csv", "signer": "<name in the signer's certificate>" | null,
                         "signed_at", "assurance_level": "low" | "substantial" | "high" | null,
                         "status": "valid", "matched_by": "hash" | "revision" | "csv",
                         "issued_by_agency": false, "message": "<what it proves, in words>"}
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import MAXYEAR, MINYEAR, datetime, tzinfo
from typing import Any

from infra.utc import as_utc, rfc3339
from signing.i18n import format_datetime
from signing.titles import localized_title
from signing.verify.moments import in_utc
from signing.verify.texts import text
from signing.verify.verdict import Verdict, advice, decide


class Indication(enum.Enum):
    """Main status indication of ETSI EN 319 102-1, clause 5.1.3 (Table 4)."""

    TOTAL_PASSED = "TOTAL-PASSED"
    INDETERMINATE = "INDETERMINATE"
    TOTAL_FAILED = "TOTAL-FAILED"

    @property
    def rank(self) -> int:
        return {"TOTAL-PASSED": 0, "INDETERMINATE": 1, "TOTAL-FAILED": 2}[self.value]


@dataclass(frozen=True)
class Conclusion:
    """An indication with its sub-indication (None for TOTAL-PASSED)."""

    indication: Indication
    sub_indication: str | None = None

    @property
    def passed(self) -> bool:
        return self.indication is Indication.TOTAL_PASSED

    def worst(self, other: Conclusion) -> Conclusion:
        return other if other.indication.rank > self.indication.rank else self


PASSED = Conclusion(Indication.TOTAL_PASSED)


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    sha256: str
    shown_as: str = ""
    """The subject as the page names it, in any language: the holder's name and its
    organisation ("Otra CA emisora (Otra Autoridad)"); `subject` is asn1crypto's English
    rendering ("Common Name: ..., Organization: ..."), kept for the JSON report."""

    def __post_init__(self) -> None:
        _in_utc(self, "not_before", "not_after")

    def as_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "issuer": self.issuer, "serial": self.serial,
                "not_before": rfc3339(self.not_before), "not_after": rfc3339(self.not_after),
                "sha256": self.sha256}


@dataclass(frozen=True)
class SignerIdentity:
    name: str
    organization: str | None
    organization_identifier: str | None
    serial_number: str | None
    certificate: CertificateInfo

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "organization": self.organization,
                "organization_identifier": self.organization_identifier,
                "serial_number": self.serial_number, "certificate": self.certificate.as_json()}


@dataclass(frozen=True)
class TimestampInfo:
    time: datetime
    authority: str
    valid: bool

    def __post_init__(self) -> None:
        _in_utc(self, "time")

    def as_json(self) -> dict[str, Any]:
        return {"time": rfc3339(self.time), "authority": self.authority, "valid": self.valid}


@dataclass(frozen=True)
class Revocation:
    status: str  # good | revoked | unknown
    revoked_at: datetime | None = None
    reason: str | None = None  # RFC 5280, 5.3.1, asn1crypto's names: key_compromise, ...
    invalidity_date: datetime | None = None  # RFC 5280, 5.3.2
    lifted_at: datetime | None = None  # a hold (certificate_hold) lifted then (`holds`)

    def __post_init__(self) -> None:
        _in_utc(self, "revoked_at", "invalidity_date", "lifted_at")

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "revoked_at": rfc3339(self.revoked_at),
                "reason": self.reason, "invalidity_date": rfc3339(self.invalidity_date)}


@dataclass(frozen=True)
class Modifications:
    """What changed in the file after a signature (pyHanko's difference analysis)."""

    level: str  # none|unchanged|unreferenced|validation_data|signatures|form_filling|annotations
    #             |metadata
    #             |beyond_certification|other|appended|unclear
    #             |not_examined (the signature could not be validated: nothing after it was looked at)
    fields: tuple[str, ...] = ()
    detail: str | None = None  # pyHanko's reason, in English, for `other` and `unclear`
    layers: tuple[tuple[str, bool], ...] = ()
    """Layers whose visibility when the document opens changed after signing: (name, shown
    now) (`signing.hidden_layers.switched`), named in the explanation."""
    change: str | None = None
    """What the change is, when it can be named more closely than its level ("layers": which
    layers show when the document opens, for `other`): the explanation says it
    (`verify.modifications.<level>_<change>`), then names each layer switched (`layers`); the
    level and the JSON's fields stay."""

    def explanation(self, language: str) -> str:
        names = ", ".join(f"«{name}»" for name in self.fields)
        key = f"{self.level}_{self.change}" if self.change else self.level
        said = [text(f"verify.modifications.{key}", language, fields=names)]
        said += [text("verify.modifications.layer_shown" if shown
                      else "verify.modifications.layer_hidden", language,
                      name="".join(c for c in name if c.isprintable())[:60])
                 for name, shown in self.layers[:MAX_LAYERS_NAMED]]
        return " ".join(said)

    def as_json(self, language: str) -> dict[str, Any]:
        return {"level": self.level, "fields": list(self.fields),
                "explanation": self.explanation(language)}


@dataclass(frozen=True)
class SignatureReport:
    field: str
    conclusion: Conclusion
    reason: str  # message key suffix: verify.reason.<reason>
    signer: SignerIdentity | None
    signing_time: datetime | None
    timestamp: TimestampInfo | None
    proven_time: datetime | None
    chain: tuple[CertificateInfo, ...]
    trust_anchor: CertificateInfo | None
    revocation: Revocation
    level: str | None
    covers_whole_document: bool
    modifications: Modifications
    signed_as: str | None = None  # "agency_seal" | "citizen_signature" (own PKI only)
    assurance_level: str | None = None  # "low" | "substantial" | "high" (certificate policy)
    approval: Any = None  # signing.verify.approval.ApprovalReport, citizen signatures
    timestamps_not_used: tuple[str, ...] = ()
    """Fields of later document time-stamps that could not be validated (untrusted, broken):
    they neither help nor harm this signature, whose verdict is its own."""

    def __post_init__(self) -> None:
        _in_utc(self, "signing_time", "proven_time")

    def message(self, language: str) -> str:
        return text(f"verify.reason.{self.reason}", language)

    def role(self, language: str) -> str | None:
        """"Agency seal, level high" / "Citizen signature, level substantial" in words."""
        if self.signed_as is None:
            return None
        return text(f"verify.role.{self.signed_as}", language,
                    level=text(f"verify.level.{self.assurance_level}", language))

    def approval_text(self, language: str, zone: tzinfo | None = None) -> str | None:
        """The passkey approval in words, its time in `zone` (`_written`)."""
        approval = self.approval
        if approval is None or approval.status == "absent":
            return None
        if approval.status == "failed":
            return text("verify.approval.failed", language, problem=approval.problem or "")
        when = _written(approval.approved_at, language, zone)
        return text("verify.approval.verified", language,
                    uv=text("verify.approval.uv" if approval.user_verified
                            else "verify.approval.no_uv", language),
                    level=text(f"verify.level.{approval.level}", language), at=when)

    def as_json(self, language: str) -> dict[str, Any]:
        return {
            "field": self.field,
            "indication": self.conclusion.indication.value,
            "sub_indication": self.conclusion.sub_indication,
            "message": self.message(language),
            "signer": self.signer.as_json() if self.signer else None,
            "signing_time": rfc3339(self.signing_time),
            "timestamp": self.timestamp.as_json() if self.timestamp else None,
            "proven_time": rfc3339(self.proven_time),
            "chain": [cert.as_json() for cert in self.chain],
            "trust_anchor": self.trust_anchor.as_json() if self.trust_anchor else None,
            "revocation": self.revocation.as_json(),
            "document_timestamps_not_used": list(self.timestamps_not_used),
            "level": self.level,
            "covers_whole_document": self.covers_whole_document,
            "modifications": self.modifications.as_json(language),
            "signed_as": self.signed_as,
            "assurance_level": self.assurance_level,
            "role": self.role(language),
            "approval": ({**self.approval.as_json(), "message": self.approval_text(language)}
                         if self.approval is not None else None),
        }


@dataclass(frozen=True)
class DocumentTimestampReport:
    field: str
    time: datetime | None
    authority: str | None
    valid: bool
    reason: str

    def __post_init__(self) -> None:
        _in_utc(self, "time")

    def as_json(self, language: str) -> dict[str, Any]:
        return {"field": self.field, "time": rfc3339(self.time), "authority": self.authority,
                "valid": self.valid, "message": text(f"verify.reason.{self.reason}", language)}


@dataclass(frozen=True)
class IssuedDocument:
    """A document this service issued, as found by hash, by an earlier revision or by CSV."""

    id: str
    csv: str
    type: str
    issuer: str
    issued_at: datetime
    status: str  # valid | revoked | superseded
    revoked_at: datetime | None
    reason: str | None
    superseded_by: str | None
    matched_by: str  # hash | revision | signed_content (`lookup.by_signed_content`) | csv
    sha256: str
    template: str | None = None  # its title in every language comes from the template's

    def message(self, language: str) -> str:
        return text(f"verify.document.{self.status}", language)

    def title(self, language: str) -> str:
        """What the document is, in `language` (`type` is the title it was issued with)."""
        return localized_title(template=self.template, issued_title=self.type, locale=language)

    def as_json(self, language: str) -> dict[str, Any]:
        return {"csv": self.csv, "type": self.title(language), "issuer": self.issuer,
                "issued_at": rfc3339(self.issued_at), "status": self.status,
                "revoked_at": rfc3339(self.revoked_at), "reason": self.reason,
                "superseded_by": self.superseded_by, "matched_by": self.matched_by,
                "message": self.message(language)}


@dataclass(frozen=True)
class CitizenSignedDocument:
    """A document a citizen signed with this service (`kind` "citizen-signed"), as found by
    hash, by an earlier revision or by CSV.

    What it proves is who signed and when, at which assurance level: the signer's name and
    level come from the citizen certificate whose serial the row recorded, as validated in the
    report (`with_signer`), never from what the citizen typed. Its content is the citizen's
    (or whoever gave it to them to sign): no agency issued it, so it is never reported as
    `document` (an issued document) and its file name is not shown as a title.
    """

    id: str
    csv: str
    signed_at: datetime
    matched_by: str  # hash | revision | csv
    sha256: str
    signer_serial: str  # hex, of the citizen certificate that signed it
    status: str = "valid"
    signer: str | None = None
    assurance_level: str | None = None

    def with_signer(self, signatures: tuple[SignatureReport, ...]) -> CitizenSignedDocument:
        """The signer's name and level from the validated signature of the recorded
        certificate (a citizen signature of the own PKI); unchanged if the file has none."""
        for signature in signatures:
            if (signature.signer is not None and signature.signed_as == "citizen_signature"
                    and signature.signer.certificate.serial == self.signer_serial):
                return replace(self, signer=signature.signer.name,
                               assurance_level=signature.assurance_level)
        return self

    def message(self, language: str, zone: tzinfo | None = None) -> str:
        """Who signed it, when (in `zone`: `_written`), at which level; then that no agency
        issued it."""
        when = _written(self.signed_at, language, zone)
        if self.signer and self.assurance_level:
            signed = text("verify.citizen.signed", language, name=self.signer, at=when,
                          level=text(f"verify.level.{self.assurance_level}", language))
        else:
            signed = text("verify.citizen.signed_unnamed", language, at=when)
        return f"{signed} {text('verify.citizen.not_issued', language)}"

    def as_json(self, language: str) -> dict[str, Any]:
        return {"csv": self.csv, "signer": self.signer, "signed_at": rfc3339(self.signed_at),
                "assurance_level": self.assurance_level, "status": self.status,
                "matched_by": self.matched_by, "issued_by_agency": False,
                "message": self.message(language)}


# Modification levels (`Modifications.level`) that change what a reader sees or is told after
# a signature; the others add nothing shown (validation data, later signatures, bytes nothing
# refers to) or were not examined.
CHANGES_AFTER_SIGNING = frozenset({"form_filling", "annotations", "metadata",
                                   "beyond_certification", "other", "appended", "unclear"})


@dataclass(frozen=True)
class VerificationReport:
    conclusion: Conclusion
    validated_at: datetime
    sha256: str
    size: int
    signatures: tuple[SignatureReport, ...]
    document_timestamps: tuple[DocumentTimestampReport, ...] = ()
    document: IssuedDocument | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)  # extra message keys
    reason: str | None = None  # verify.summary.<reason> instead of the indication's text
    citizen_signed: CitizenSignedDocument | None = None
    signed_ends: tuple[int, ...] = ()
    """Offsets just after the last byte each signature and document time-stamp signs (those
    whose byte range is well-formed): the revisions the file really holds (`lookup`)."""
    active_content: tuple[str, ...] = ()
    """What the file holds that can act when opened or is not shown with its pages
    (`active_content.KINDS`): told to the reader, whatever the verdict."""
    hidden_layers: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """The layers hidden by default that something draws with (`hidden_layer`), each with
    the pages it draws on: named for the reader to switch on (`active_messages`)."""
    unsigned_additions: bool = False
    """Bytes follow the last byte any signature or document time-stamp signs (validation
    data, an empty signature field...): a valid document is then said to be valid with data
    added after signing, never plainly unchanged since it was signed."""
    validation_data_only: bool = False
    """What follows the last signed byte is only validation data (a DSS: certificates and
    revocation status, as a PAdES B-LT signature adds after itself), as pyHanko's difference
    analysis of the last signature found it: a permitted addition, said as such."""

    @property
    def indication(self) -> Indication:
        return self.conclusion.indication

    def with_document(self, document: IssuedDocument | None) -> VerificationReport:
        return replace(self, document=document)

    def with_citizen_signed(self, found: CitizenSignedDocument | None) -> VerificationReport:
        """With the citizen-signed document this file is (its signer read from the report)."""
        return replace(self, citizen_signed=found.with_signer(self.signatures) if found else None)

    def with_found(self, found: IssuedDocument | CitizenSignedDocument | None) -> VerificationReport:
        if isinstance(found, CitizenSignedDocument):
            return self.with_citizen_signed(found)
        return self.with_document(found)

    @property
    def advice_kind(self) -> str | None:
        """"citizen_signed" when the verdict's words are those of a citizen's signature (no
        agency issued the document); "unregistered" for a document the register does not
        hold (no withdrawal of it can be known); None for the usual words."""
        citizen = self.citizen_signed is not None and self.document is None
        unregistered = self.citizen_signed is None and self.document is None
        kind = "citizen_signed" if citizen else "unregistered" if unregistered else None
        if self.unsigned_additions and self.conclusion.passed:
            added = "validation_data" if self.validation_data_only else "added"
            return f"{kind}_{added}" if kind else added
        return kind

    def changes_found(self, language: str) -> tuple[str, ...]:
        """What changed after a signature that a reader may see or be told (a field filled
        in, an annotation, a claim, a page's content, bytes outside the signed revisions), in
        the words of the details, each once, in signing order: said with the verdict, which
        alone does not name the change (citizen13)."""
        said: dict[str, None] = {}
        for signature in self.signatures:
            if signature.modifications.level in CHANGES_AFTER_SIGNING:
                said[signature.modifications.explanation(language)] = None
        return tuple(said)

    def summary(self, language: str) -> str:
        key = {Indication.TOTAL_PASSED: "passed", Indication.INDETERMINATE: "indeterminate",
               Indication.TOTAL_FAILED: "failed"}[self.indication]
        if not self.signatures:
            key = "unsigned"
        elif key == "passed" and self.unsigned_additions:
            key = "passed_validation_data" if self.validation_data_only else "passed_added"
        if self.reason:
            key = self.reason
        if self.withdrawn and self.indication is not Indication.TOTAL_FAILED:
            key = f"withdrawn_{self.document_status}"
        return text(f"verify.summary.{key}", language)

    @property
    def document_status(self) -> str | None:
        """"revoked" or "superseded" when the issuing agency withdrew the document (the
        signatures may still be valid: the document no longer is); "valid"; None when the
        document is not one this service issued."""
        return self.document.status if self.document is not None else None

    @property
    def withdrawn(self) -> bool:
        return self.document_status in ("revoked", "superseded")

    @property
    def verdict(self) -> Verdict:
        return decide(indication=self.indication.value, document_status=self.document_status)

    def active_messages(self, language: str) -> list[tuple[str, str]]:
        """(kind, what to tell the reader) for each of `active_content`: a hidden layer's
        sentence names the layers and the pages they draw on (`layers_named`)."""
        return [(kind, text(f"verify.active.{kind}", language)
                 + (" " + layers_named(self.hidden_layers, language)
                    if kind == "hidden_layer" and self.hidden_layers else ""))
                for kind in self.active_content]

    def as_json(self, language: str) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "advice": advice(self.verdict, language, kind=self.advice_kind),
            "indication": self.indication.value,
            "sub_indication": self.conclusion.sub_indication,
            "document_status": self.document_status,
            "summary": self.summary(language),
            "validated_at": rfc3339(self.validated_at),
            "file": {"sha256": self.sha256, "size": self.size},
            "signatures": [s.as_json(language) for s in self.signatures],
            "document_timestamps": [t.as_json(language) for t in self.document_timestamps],
            "document": self.document.as_json(language) if self.document else None,
            "citizen_signed": self.citizen_signed.as_json(language) if self.citizen_signed else None,
            "active_content": [{"kind": kind, "message": message}
                               for kind, message in self.active_messages(language)],
            "unsigned_additions": self.unsigned_additions,
            "validation_data_only": self.unsigned_additions and self.validation_data_only,
        }


MAX_LAYERS_NAMED = 5  # and the first pages of each: a file may hold thousands
MAX_PAGES_NAMED = 10


def layers_named(layers: tuple[tuple[str, tuple[int, ...]], ...], language: str) -> str:
    """A sentence naming hidden layers (their /Name, printable and cut short: the file's
    author chose it) and the pages each draws on, for the reader to switch them on."""
    named = []
    for name, pages in layers[:MAX_LAYERS_NAMED]:
        numbers = ", ".join(str(n) for n in pages[:MAX_PAGES_NAMED]) \
            + (", …" if len(pages) > MAX_PAGES_NAMED else "")
        named.append(text("verify.active.hidden_layer_page" if len(pages) == 1
                          else "verify.active.hidden_layer_pages", language,
                          name="".join(c for c in name if c.isprintable())[:60],
                          pages=numbers))
    listed = "; ".join(named) + ("; …" if len(layers) > MAX_LAYERS_NAMED else "")
    return text("verify.active.hidden_layer_names", language, layers=listed)


def _in_utc(report: Any, *names: str) -> None:
    """The times `names` of the (frozen) `report` kept in UTC (`moments.in_utc`): a time
    from the file may carry any offset, and one at the end of the calendar could not be
    written in UTC (a 500 for the API, and for the page)."""
    for name in names:
        object.__setattr__(report, name, in_utc(getattr(report, name)))


def _written(value: datetime | None, language: str, zone: tzinfo | None = None) -> str:
    """A moment in a sentence: CLDR, as on the documents (`3 de mayo de 2025, 19:05 (GMT+00:00)`),
    in `zone` (a page's: the reader's, as its tables show times) with its offset, else in UTC.
    A moment at the calendar's ends stays in UTC (it may not move into a zone)."""
    if value is None:
        return ""
    moment = as_utc(value)
    if zone is not None and moment.year not in (MINYEAR, MAXYEAR):
        moment = moment.astimezone(zone)
    return format_datetime(moment, language)
