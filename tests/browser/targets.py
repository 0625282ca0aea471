"""Targets of at least 24 by 24 CSS pixels (WCAG 2.2, 2.5.8), one check for every browser test
that looks: every link, button, field, summary and focusable element of the page that is not
inside a sentence (the criterion's inline exception: its nearest block holds words besides the
targets' own; a button's words beside a link are not a sentence around it)."""

from __future__ import annotations

SMALL_TARGETS = """
const words = s => (s || '').replace(/\\s+/g, ' ').trim();
const targets = [...document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]')];
const small = [];
for (const el of targets) {
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height || el.closest('[hidden]')) continue;
  if (r.width >= 24 && r.height >= 24) continue;
  let block = el.parentElement;
  while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
  let rest = block ? block.textContent : '';
  for (const other of targets) if (block && block.contains(other)) rest = rest.replace(other.textContent, ' ');
  if (words(rest)) continue;  // in a sentence: the inline exception
  small.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + words(el.textContent).slice(0, 30)
             + '" ' + Math.round(r.width) + 'x' + Math.round(r.height));
}
return small;
"""


def small_targets(browser, paths, where: str, problems: list[str]) -> None:
    """Open each of `paths` and add a line to `problems` for each page with targets under 24x24
    outside a sentence; `where` says in the line how the page was shown (language, width)."""
    for path in paths:
        browser.open(path)
        browser.wait_for("h1")
        small = browser.driver.execute_script(SMALL_TARGETS)
        if small:
            problems.append(f"{path} [{where}]: {', '.join(small)}")
