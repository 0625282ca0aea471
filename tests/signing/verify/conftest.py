"""Fixtures for verification: the independent PKI and its signed PDFs, built once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.signing.verify import samples
from tests.signing.verify.issued import issue_residence


@pytest.fixture(scope="session")
def pki() -> samples.Pki:
    return samples.build_pki()


@pytest.fixture(scope="session")
def root_file(pki, tmp_path_factory):
    folder = tmp_path_factory.mktemp("roots")
    (folder / "otra-raiz.pem").write_bytes(pki.root.pem)
    return folder


@pytest.fixture(scope="session")
def verifier(pki, root_file):
    """A verifier trusting the independent root (as an extra root in a folder), with its CRLs.
    Its time budget is five minutes, not the default 20 s: the tests count work, and a loaded
    machine (two test workers, Chromium) turned a 300-page document signed four times into
    TIME_BUDGET_EXCEEDED; the tests of the time budget set their own (`replace(verifier.limits, ...)`)."""
    from signing.verify.budget import Limits
    from signing.verify.trust import TrustStore
    from signing.verify.validation import Evidence, Verifier

    evidence = Evidence(crls=pki.crls, certificates=(pki.issuing.asn1,))
    return Verifier(trust=TrustStore([str(root_file)]), evidence=lambda now: evidence,
                    clock=lambda: samples.NOW + timedelta(minutes=5), max_bytes=2 * 1024 * 1024,
                    limits=Limits(seconds=300.0))


@pytest.fixture(scope="session")
def signed(pki) -> bytes:
    """B-T: signed by the trusted signer with a signature time-stamp."""
    return samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.fixture(scope="session")
def signed_with_field(pki) -> bytes:
    return samples.sign(samples.blank_pdf(with_field=True), samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))


@pytest.fixture(scope="session")
def signed_with_hidden(pki) -> bytes:
    return samples.sign(samples.blank_pdf(hidden_content=True),
                        samples.signer_for(pki.signer, pki), stamper=samples.timestamper(pki))


@pytest.fixture
def issued(documents, citizen):
    """A residence certificate just issued: (the issuance's result, the sealed PDF)."""
    return issue_residence(documents, citizen)


@pytest.fixture(scope="session")
def signed_indirect(pki) -> bytes:
    """A signed, time-stamped page whose content's /Length is an indirect object."""
    from tests.signing.verify import attack_kit

    return samples.sign(attack_kit.indirect_length_pdf(), samples.signer_for(pki.signer, pki),
                        stamper=samples.timestamper(pki))
