"""Reading the project's own source as syntax trees, for the tests that check imports."""

from __future__ import annotations

import ast
from pathlib import Path


def parse(path: Path) -> ast.Module:
    """`ast.parse` of a file, tried again once on CPython 3.11's "AST constructor recursion depth
    mismatch" (gh-106905, fixed in 3.11.8 and 3.12.1): the depth counter is shared between
    threads, so a live server's thread formatting a traceback (which parses source lines for its
    carets) at the same moment can make a correct file fail to parse."""
    source = path.read_text(encoding="utf-8")
    try:
        return ast.parse(source, str(path))
    except SystemError:
        return ast.parse(source, str(path))
