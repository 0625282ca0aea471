"""Every form page that can show a validation error does it with the error summary (GOV.UK
pattern, `_error_summary.html`: a titled box linking to the fields, "Error:" before the page
title), not with a notice of its own. Read from the templates: a page with a form that shows
something when its `error`, `errors`, `failed`, `code_error` or `file_error` is set must call
`error_summary(...)` and set `page_errors` (what base.html reads for the title). A partial
(`_name.html`, macros) is not a page: its forms count for the pages that import it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_catalog_templates import ROOT, templates

SHOWS_AN_ERROR = re.compile(r"\{%-? *(?:if|elif) [^%]*\b(?:error|errors|failed|code_error|file_error|search\.errors)\b")
IMPORTS_A_PARTIAL = re.compile(r"""\{%-? *(?:from|import|include) +["']([^"']*/?_[^"'/]+\.html)["']""")


def _with_partials(path: Path) -> str:
    """The page's text followed by the text of the partials it imports or includes."""
    text = path.read_text(encoding="utf-8")
    root = next(parent for parent in path.parents if parent.name == "templates")
    return text + "".join((root / name).read_text(encoding="utf-8")
                          for name in IMPORTS_A_PARTIAL.findall(text) if (root / name).is_file())


def form_pages() -> list[Path]:
    return [p for p in templates() if not p.name.startswith("_")
            and "<form" in (text := _with_partials(p)) and SHOWS_AN_ERROR.search(text)]


def test_there_are_form_pages_with_errors():
    assert len(form_pages()) >= 10


@pytest.mark.parametrize("path", form_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_form_page_shows_its_errors_in_the_error_summary(path):
    text = path.read_text(encoding="utf-8")
    assert "error_summary(page_errors" in text, f"{path.relative_to(ROOT)} shows errors without the summary"
    assert re.search(r"\{%-? *set page_errors\b", text), f"{path.relative_to(ROOT)} does not set page_errors"


def test_a_refused_binding_code_titles_the_page_with_error_and_links_the_field(client):
    import html as entities

    from tests.idp.conftest import csrf

    token = csrf(client, "/bind")
    page = client.post("/bind", data={"csrf_token": token, "code": "WRONG-CODE"},
                       headers={"Accept-Language": "en"}).get_data(as_text=True)
    title = entities.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)).strip()
    assert title.startswith("Error: "), title
    assert 'id="form-error"' in page and 'href="#code"' in page
    assert 'aria-invalid="true"' in page


# A control's tag as a template writes it (`<input ...>`, `<select ...>`, `<textarea ...>`),
# Jinja blocks and all.
CONTROL_TAG = re.compile(r"<(?:input|select|textarea)\b(?:[^<>]|\{%.*?%\}|\{\{.*?\}\})*>", re.S)


def invalid_controls() -> list[tuple[str, str]]:
    """(template, tag) of every control a template can mark aria-invalid."""
    return [(str(path.relative_to(ROOT)), tag) for path in templates()
            for tag in CONTROL_TAG.findall(path.read_text(encoding="utf-8")) if "aria-invalid" in tag]


def test_there_are_controls_marked_invalid():
    assert len(invalid_controls()) >= 10


@pytest.mark.parametrize(("template", "tag"), invalid_controls(), ids=lambda v: v if v.endswith(".html") else "")
def test_a_control_marked_invalid_is_described_by_what_is_wrong(template, tag):
    """WCAG 3.3.1, 1.3.1 (technique ARIA21): a field marked invalid names its error text in its
    aria-describedby (its own "<id>-error" message, or the page's error summary), so a screen
    reader that reaches the field says why it is wrong, not only "invalid"."""
    described = re.findall(r'aria-describedby="([^"]*)"', tag)
    tag_text = " ".join(tag.split())[:200]
    assert any(re.search(r"-error\b", value) for value in described), \
        f"{template}: a control marked aria-invalid without its error in aria-describedby: {tag_text}"
