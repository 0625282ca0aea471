"""The guide's Markdown subset: what it renders, and that nothing in it reaches the page unescaped."""

from __future__ import annotations

from pathlib import Path

from idp.developers.markdown import render
from idp.developers.views import SOURCE


def test_headings_lists_code_tables_and_links():
    rendered = render("# Title\n\n## Step one\n\nSome `code` and **bold** and [a link](/developers/api).\n\n"
                      "- first\n  continued\n- second\n\n1. one\n2. two\n\n```sh\necho <hi> & bye\n```\n\n"
                      "| A | B |\n|---|---|\n| `x` | y |\n")
    html = str(rendered.html)
    assert '<h2 id="step-one">Step one</h2>' in html
    assert "<code>code</code>" in html and "<strong>bold</strong>" in html
    assert '<a href="/developers/api">a link</a>' in html
    assert "<ul><li>first continued</li><li>second</li></ul>" in html
    assert "<ol><li>one</li><li>two</li></ol>" in html
    assert '<pre tabindex="0" data-language="sh"><code>echo &lt;hi&gt; &amp; bye</code></pre>' in html
    assert '<th scope="col">A</th>' in html and "<td><code>x</code></td>" in html
    assert [(h.level, h.id) for h in rendered.headings] == [(1, "title"), (2, "step-one")]


def test_raw_html_and_script_links_are_text():
    html = str(render('<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](data:text/html,hi) '
                      '[z](https://ok.example/"onmouseover=1)').html)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and 'href="data' not in html
    assert 'href="https://ok.example/' not in html  # a quote in a URL: the link is not made
    assert "[x](javascript:alert(1))" in html


def test_the_title_can_be_left_to_the_page():
    rendered = render("# Title\n\n## Part\n", without_title=True)
    assert "<h1" not in str(rendered.html) and [h.id for h in rendered.headings] == ["part"]


def test_repeated_headings_get_distinct_ids():
    ids = [h.id for h in render("## Notes\n\n## Notes\n").headings]
    assert ids == ["notes", "notes-2"]


def test_the_shipped_guide_renders_every_section():
    rendered = render(SOURCE.read_text(encoding="utf-8"))
    sections = [h.text for h in rendered.headings if h.level == 2]
    assert len(sections) == 9
    for topic in ("Register", "PKCE", "private_key_jwt", "Claims", "Step-up", "Logout", "documents API",
                  "Errors", "button"):
        assert any(topic in title for title in sections), topic


def test_the_shipped_guide_is_the_documented_copy():
    """docs/agencies.md is what developers read in the repository; the package ships a copy."""
    documented = Path(__file__).resolve().parents[3] / "docs" / "agencies.md"
    assert SOURCE.read_text(encoding="utf-8") == documented.read_text(encoding="utf-8")
