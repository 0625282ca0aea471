"""Read a PDF as an independent tool does: its text (poppler's pdftotext) and catalog (pyHanko)."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader

from tests.support.parts import require_executable


def pdf_text(pdf: bytes) -> str:
    """The text of every page, whitespace collapsed."""
    tool = require_executable("pdftotext", "apt-get install poppler-utils")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.pdf"
        path.write_bytes(pdf)
        out = subprocess.run([tool, str(path), "-"], capture_output=True, check=True, text=True, timeout=300)
    return " ".join(out.stdout.split())


def pdf_catalog(pdf: bytes):
    """The document catalog (/Root) and the number of pages."""
    reader = PdfFileReader(io.BytesIO(pdf))
    return reader.root, len(reader.root["/Pages"]["/Kids"]) if "/Kids" in reader.root["/Pages"] else 0
