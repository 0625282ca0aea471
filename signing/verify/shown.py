"""Text from the file as it is shown: names of signers, authorities and fields, made visible.

Anyone can put any characters in a certificate's subject (a self-signed certificate is shown
too, as untrusted) and in a signature field's name. Control characters (Unicode category Cc:
new lines, the terminal's escape sequences) let one such name write lines of its own in
`cedula verify`'s output, or move the cursor back over its verdict; format characters (Cf:
the bidirectional overrides and isolates of Unicode's UAX #9, zero-width characters) make a
name show as something else than what it is (after U+202E the rest of a name is shown
backwards) on the page and in the terminal alike. Every such character is shown
as its code point, "<U+202E>": the page, the JSON report and the command say the same, and
nothing of the file's text can look like the service's own words.
"""

from __future__ import annotations

import unicodedata

HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def shown(value: str) -> str:
    """`value` with every control, format, private-use, surrogate and line or paragraph
    separator character replaced by "<U+XXXX>"."""
    if value.isprintable():  # the common case: nothing to do (spaces are printable)
        return value
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in HIDDEN else c
                   for c in value)


def shown_or_none(value: object) -> str | None:
    """`shown` of a text value; None stays None; anything else (a list from a multi-valued
    attribute) is shown as its values joined with ", "."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ", ".join(shown(str(v)) for v in value)
    return shown(str(value))
