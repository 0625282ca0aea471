"""What a Python file imports, read from its syntax tree (nested imports included; relative
imports are left out): the architecture and packaging tests' one reader."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.support.source import parse


def absolute_imports(path: Path) -> Iterator[str]:
    """The dotted names of every `import x.y` and `from x.y import z` in the file."""
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
