"""Independent validation of a sealed document: poppler's pdfsig, openssl, and pyHanko's own
command line (`pyhanko sign adesverify`, offline, trusting only the exported root).

pdfsig reports the seal's signature valid and the document time-stamp (the last signature)
covering the whole file; the seal's CMS, dumped by `pdfsig -dump` and checked against its
byte ranges, verifies with `openssl cms -verify` up to the exported root alone; the document
time-stamp verifies with `openssl ts -verify`. The seal certificate's profile (key usage,
EKU documentSigning + emailProtection) is one NSS and openssl accept for a CMS signer:
pdfsig raises no certificate issue, and `openssl cms -verify` needs no `-purpose any`.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from keys import x509
from signing.issuance import issue
from tests.signing import samples
from tests.signing.conftest import (  # noqa: F401 - fixtures
    _services,
    citizen,
    documents,
    pki_app,
    pki_rows,
)
from tests.support.parts import require_executable

AGENCY = "registro-civil"
AGENCY_NAME = "Registro Civil de San Salvador"


def _byte_ranges(pdf: bytes) -> list[tuple[int, int, int, int]]:
    return [tuple(int(n) for n in m.groups()) for m in re.finditer(
        rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)]


def _signed_bytes(pdf: bytes, ranges: tuple[int, int, int, int]) -> bytes:
    a, b, c, d = ranges
    return pdf[a:a + b] + pdf[c:c + d]


def _contents(pdf: bytes, ranges: tuple[int, int, int, int]) -> bytes:
    """The /Contents hex string between the two signed ranges, decoded, padding removed."""
    a, b, c, _ = ranges
    hole = pdf[a + b:c].strip()
    assert hole.startswith(b"<") and hole.endswith(b">"), hole[:20]
    return bytes.fromhex(hole[1:-1].decode("ascii"))


def _der_length(der: bytes) -> int:
    """Length of the outer DER TLV (the CMS is zero-padded to the reserved size)."""
    first = der[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    return 2 + count + int.from_bytes(der[2:2 + count], "big")


@pytest.fixture
def sealed(documents, citizen, tmp_path) -> tuple[Path, bytes, Path]:  # noqa: F811
    issued = issue(documents, client_id=AGENCY, agency_name=AGENCY_NAME, template="residence", citizen=citizen,
                   data=samples.RESIDENCE)
    pdf = documents.store.read(issued.sha256)
    path = tmp_path / "sealed.pdf"
    path.write_bytes(pdf)
    root = tmp_path / "root.pem"
    root.write_text(x509.pem(documents.keys.pki.material().root.certificate))
    return path, pdf, root


def test_pdfsig_reports_seal_valid_and_timestamp_covering_everything(sealed):
    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    path, pdf, _ = sealed
    out = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, check=False, timeout=300).stdout
    blocks = re.split(r"^Signature #\d+:$", out, flags=re.M)[1:]
    assert len(blocks) == 2, out
    seal, timestamp = blocks
    assert "Signature Field Name: Seal" in seal
    assert "Signature Validation: Signature is Valid." in seal
    assert "Unknown issue with Certificate" not in seal, seal
    assert "ETSI.CAdES.detached" in seal
    assert "Total document signed" in timestamp and "Not total" not in timestamp, timestamp
    last = _byte_ranges(pdf)[-1]
    assert last[2] + last[3] == len(pdf)


def test_seal_cms_verifies_with_openssl_up_to_the_root_alone(sealed, tmp_path):
    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    openssl = require_executable("openssl", "apt-get install openssl")
    path, pdf, root = sealed
    subprocess.run([pdfsig, "-dump", str(path)], cwd=tmp_path, check=True, capture_output=True, timeout=300)
    dumped = (tmp_path / "sealed.pdf.sig0").read_bytes()
    ranges = _byte_ranges(pdf)[0]
    embedded = _contents(pdf, ranges)
    assert dumped[:_der_length(dumped)] == embedded[:_der_length(embedded)]
    cms = tmp_path / "seal.der"
    cms.write_bytes(dumped[:_der_length(dumped)])
    content = tmp_path / "signed.bin"
    content.write_bytes(_signed_bytes(pdf, ranges))
    result = subprocess.run(
        [openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", str(cms),
         "-content", str(content), "-CAfile", str(root), "-out", "/dev/null"],
        capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr

    tampered = bytearray(content.read_bytes())
    tampered[100] ^= 1
    content.write_bytes(bytes(tampered))
    refused = subprocess.run(
        [openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", str(cms),
         "-content", str(content), "-CAfile", str(root), "-out", "/dev/null"],
        capture_output=True, text=True, check=False, timeout=300)
    assert refused.returncode != 0


def test_document_timestamp_verifies_with_openssl_ts(sealed, tmp_path):
    openssl = require_executable("openssl", "apt-get install openssl")
    _, pdf, root = sealed
    ranges = _byte_ranges(pdf)[-1]
    token = _contents(pdf, ranges)
    (tmp_path / "token.der").write_bytes(token[:_der_length(token)])
    (tmp_path / "data.bin").write_bytes(_signed_bytes(pdf, ranges))
    result = subprocess.run(
        [openssl, "ts", "-verify", "-data", str(tmp_path / "data.bin"), "-in",
         str(tmp_path / "token.der"), "-token_in", "-CAfile", str(root)],
        capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Verification: OK" in result.stdout


def _adesverify(path: Path, root: Path) -> subprocess.CompletedProcess:
    """pyHanko's own AdES report (`pyhanko sign adesverify`, the pyhanko-cli package), offline:
    only the exported root is trusted, and the validation data in the file is fresh, so
    nothing needs fetching."""
    import sys

    pyhanko = Path(sys.executable).parent / "pyhanko"
    if not pyhanko.exists():
        from tests.support.parts import missing

        missing("pyhanko-cli is not installed (the test extra)")
    return subprocess.run([str(pyhanko), "sign", "adesverify", "--trust", str(root),
                           "--trust-replace", "--pretty-print", str(path)],
                          capture_output=True, text=True, check=False, timeout=300)


def test_pyhanko_adesverify_passes_the_seal(sealed):
    path, _, root = sealed
    result = _adesverify(path, root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The signer's certificate is trusted." in result.stdout
    assert "The TSA certificate is trusted." in result.stdout
    assert "All modifications relate to signature maintenance" in result.stdout
    assert "The signature is judged VALID." in result.stdout


def test_pyhanko_adesverify_refuses_a_changed_seal(sealed, tmp_path):
    _, pdf, root = sealed
    ranges = _byte_ranges(pdf)[0]
    tampered = bytearray(pdf)
    tampered[ranges[1] // 2] ^= 1  # inside the seal's first signed range
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(tampered))
    result = _adesverify(changed, root)
    assert result.returncode != 0
