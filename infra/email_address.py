"""What a setting naming an e-mail address or a mail server must look like (checked at start),
and a text without the addresses it names (for a log line)."""

from __future__ import annotations

import ipaddress
import re
from email.utils import parseaddr

# RFC 1123 section 2.1 host names: labels of letters, digits and '-', not starting or ending with '-'
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
# Anything shaped like local@domain in a text (a server's reply, an error): not a check of it.
_IN_TEXT = re.compile(r"[^\s<>'\"(),;:\[\]]+@[^\s<>'\"(),;:\[\]]+")


def is_email_address(text: str) -> bool:
    """`text` is one address (`user@host` or `Name <user@host>`, RFC 5322 section 3.4) and no
    more: no line break (a header injection), no second address, no space in the address."""
    if any(c in text for c in "\r\n,;") or not text.strip():
        return False
    address = parseaddr(text)[1]
    written = text.rpartition("<")[2].rstrip().removesuffix(">") if "<" in text else text.strip()
    if written != address:  # parseaddr dropped part of it ("a@exa mple.com" read as "a@exa")
        return False
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain) and not any(c.isspace() for c in address) and is_host(domain)


def is_host(text: str) -> bool:
    """A mail server's name: a host name (RFC 1123 2.1) or an IP address; no port, no spaces."""
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return len(text) <= 253 and _HOST_NAME.fullmatch(text) is not None
    return True


def without_addresses(text: str) -> str:
    """`text` with every e-mail address in it as `[address]`: a mail server's refusal names the
    recipient (a citizen's address, personal data), which no log line may keep."""
    return _IN_TEXT.sub("[address]", text) if "@" in text else text


__all__ = ["is_email_address", "is_host", "without_addresses"]
