"""Assert that a page shows its errors in the GOV.UK error summary (`_error_summary.html`)."""

from __future__ import annotations

import html
import re


def assert_error_summary(page: str, *, target: str | None) -> None:
    """"Error:" before the page title, the summary shown, and (if `target`) a link to that field."""
    title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)).strip()
    assert title.startswith("Error: "), title
    summary = page[page.index('id="form-error"'):]
    summary = summary[:summary.index("</div>")]
    assert " hidden" not in summary[:summary.index(">")], "the error summary is hidden"
    if target:
        assert f'href="#{target}"' in summary, summary
        assert f'id="{target}"' in page, f"no field {target!r} on the page"
