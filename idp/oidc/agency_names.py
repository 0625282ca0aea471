"""The name a citizen sees for an agency on the sign-in, account-choice and consent pages:
never its client_id (a random string that tells a citizen nothing and looks like an error).

The registered `client_name` in the citizen's language (OIDC Registration section 2.1, via
clients.registry.localized), else the name it registered in another language (the default
language's first), else the host of its site (`client_uri`), else the host of its first
redirect URI (a native app's private-use scheme, `com.example.app`, when it has no host),
else "an agency without a registered name" in words. The rule up to the words is
`clients.registry.localized.shown_name`, shared with `clients.registry.agency_name` (the other
pages: the account's agency list, the audit and log pages), which ends in the client_id instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from clients.registry import Client
from clients.registry.localized import DEFAULT_FALLBACKS
from clients.registry.localized import shown_name as _rule
from infra.web.i18n import gettext as _


def shown_name(client: Client, language: str | None, *, fallbacks: Sequence[str] = DEFAULT_FALLBACKS) -> str:
    """The agency's name for a citizen reading `language` (module docstring; the rule is
    `clients.registry.localized.shown_name`, which `agency_name` uses on every other page);
    `fallbacks`: the languages whose registered name comes next, in order."""
    return _rule(client.client_metadata, language, fallbacks=fallbacks) or _("oidc.agency.unnamed")
