"""What a template asks the renderer to print, in reading order: plain data, no PDF."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    """A section heading (level 2 under the document title, which is the only level 1)."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str
    muted: bool = False


@dataclass(frozen=True)
class Facts:
    """A two-column table: each row a label (a row header) and its value."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Grid:
    """A table with column headers; `widths` are the columns' shares of the line (sum 1)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]


@dataclass(frozen=True)
class Bullets:
    """A list of short items."""

    items: tuple[str, ...]


Block = Heading | Paragraph | Facts | Grid | Bullets
