"""The one error family of levels of assurance, FIDO metadata and identity proofing."""

from __future__ import annotations


class AssuranceError(Exception):
    """Any refusal about assurance; `code` is the API error code."""

    code = "invalid_request"


class MetadataError(AssuranceError):
    """A FIDO Metadata Service BLOB that cannot be fetched, parsed or trusted."""

    code = "invalid_metadata"


class ProofingError(AssuranceError):
    """A proofing change that is not allowed (unknown citizen, wrong level, bad document)."""

    code = "invalid_proofing"
