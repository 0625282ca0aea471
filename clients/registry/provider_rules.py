"""Rules on client metadata that only the provider knows, added to every registration check.

`validate_metadata` checks what the registry itself can; some rules need the provider's own
settings (the acr URIs of the levels of assurance, `idp.oidc`), which `clients` must not
import. The provider installs its rule in `PROVIDER_RULE` when it is wired (as it installs
`ON_DELETED`); every registration, update and operator change runs it after
`validate_metadata`, so metadata that every authorization would refuse is refused at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from flask import current_app, has_app_context

from infra.components import Slot


class ProviderRule(Protocol):
    """Raises `ClientMetadataError` naming the member when `validated` breaks a provider rule."""

    def __call__(self, validated: Mapping[str, Any]) -> object: ...


PROVIDER_RULE: Slot[ProviderRule] = Slot("provider's client metadata rule")


def check_provider_rule(validated: Mapping[str, Any]) -> None:
    """Run the provider's rule, if one is wired (a registry used without the provider has none)."""
    if has_app_context() and PROVIDER_RULE.installed(current_app):
        PROVIDER_RULE.of()(validated)
