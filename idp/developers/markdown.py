"""The developer guide's Markdown, as HTML: a small, closed subset, every character escaped.

No Markdown library is a runtime dependency, and the guide needs only: headings (with ids for
links), paragraphs, bullet and numbered lists, fenced code blocks, tables, `code`, **strong**
and links. Raw HTML is never passed through (it is escaped like any text), and a link is kept
only when it is relative, a fragment, or http(s); anything else is shown as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*$")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\d+\.\s+(.*)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)")
_SAFE_URL = re.compile(r"^(https?://|/|#)[^\s\"'<>]*$")


@dataclass
class Heading:
    level: int
    text: str
    id: str


@dataclass
class Rendered:
    html: Markup
    headings: list[Heading] = field(default_factory=list)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def inline(text: str) -> Markup:
    """`code`, **strong** and [links](url) in one line; everything else escaped."""
    out: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        out.append(str(escape(text[position:match.start()])))
        code, strong, label, url = match.groups()
        if code is not None:
            out.append(f"<code>{escape(code)}</code>")
        elif strong is not None:
            out.append(f"<strong>{inline(strong)}</strong>")
        elif _SAFE_URL.match(url):
            out.append(f'<a href="{escape(url)}">{inline(label)}</a>')
        else:
            out.append(str(escape(match.group(0))))
        position = match.end()
    out.append(str(escape(text[position:])))
    return Markup("".join(out))  # noqa: S704 -- every piece above is escaped or a fixed tag


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def render(source: str, *, without_title: bool = False) -> Rendered:
    """`without_title`: leave out level-1 headings (the page around it has its own h1)."""
    lines = source.splitlines()
    html: list[str] = []
    headings: list[Heading] = []
    used: set[str] = set()
    paragraph: list[str] = []
    i = 0

    def flush() -> None:
        if paragraph:
            html.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            language = stripped[3:].strip()
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                body.append(lines[i])
                i += 1
            label = f' data-language="{escape(language)}"' if language else ""
            # tabindex: a code block wider than the screen scrolls, and keyboards must reach it.
            html.append(f'<pre tabindex="0"{label}><code>{escape(chr(10).join(body))}</code></pre>')
            i += 1
            continue
        heading = _HEADING.match(stripped)
        if heading:
            flush()
            level, text = len(heading.group(1)), heading.group(2)
            if level == 1 and without_title:
                i += 1
                continue
            anchor = slug(text)
            while anchor in used:
                anchor += "-2"
            used.add(anchor)
            headings.append(Heading(level, text, anchor))
            html.append(f'<h{level} id="{anchor}">{inline(text)}</h{level}>')
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1].strip()):
            flush()
            head = "".join(f'<th scope="col">{inline(c)}</th>' for c in _cells(stripped))
            rows: list[str] = []
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in _cells(lines[i])) + "</tr>")
                i += 1
            html.append(f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
                        f'<tbody>{"".join(rows)}</tbody></table></div>')
            continue
        for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
            if pattern.match(stripped):
                flush()
                items: list[str] = []
                while i < len(lines) and (item := pattern.match(lines[i].strip())):
                    text = item.group(1)
                    i += 1
                    while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                        text += " " + lines[i].strip()
                        i += 1
                    items.append(f"<li>{inline(text)}</li>")
                html.append(f"<{tag}>{''.join(items)}</{tag}>")
                break
        else:
            if stripped:
                paragraph.append(stripped)
            else:
                flush()
            i += 1
    flush()
    return Rendered(Markup("\n".join(html)), headings)  # noqa: S704 -- built from escaped pieces only
