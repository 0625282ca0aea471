"""A residence certificate issued by the test agency, as the verification tests check it."""

from __future__ import annotations

from tests.signing import samples as document_samples
from tests.signing.conftest import AGENCY, AGENCY_NAME


def issue_residence(documents, citizen):
    """Issue one to `citizen`: (the issuance's result, the sealed PDF's bytes)."""
    from signing.issuance import issue

    result = issue(documents, client_id=AGENCY, agency_name=AGENCY_NAME, template="residence", citizen=citizen,
                   data=document_samples.sample("residence"))
    return result, documents.store.read(result.sha256)
