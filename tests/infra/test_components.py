"""The application's wiring: typed slots, installed once, read only after they exist."""

from __future__ import annotations

import pytest
from flask import Flask

from infra.components import Component, ComponentError, Slot, wire

NUMBER: Slot[int] = Slot("number")
DOUBLE: Slot[int] = Slot("double")


def _number(app: Flask) -> None:
    NUMBER.install(app, 21)


def _double(app: Flask) -> None:
    DOUBLE.install(app, 2 * NUMBER.of(app))


def test_components_are_built_in_the_declared_order():
    app = Flask(__name__)
    wire(app, [Component("number", _number), Component("double", _double)])
    assert DOUBLE.of(app) == 42


def test_a_component_wired_before_what_it_needs_stops_the_start():
    app = Flask(__name__)
    with pytest.raises(ComponentError, match="wiring double: number is not installed"):
        wire(app, [Component("double", _double), Component("number", _number)])


def test_a_component_cannot_replace_another():
    app = Flask(__name__)
    NUMBER.install(app, 1)
    with pytest.raises(ComponentError, match="number is installed twice"):
        NUMBER.install(app, 2)
    assert NUMBER.of(app) == 1


def test_the_provider_is_wired_in_a_valid_order(app):
    """The real wiring: every slot the components read was installed before (or start fails)."""
    from idp.oidc import provider
    from idp.webauthn import relying_party

    assert provider(app).settings.issuer
    assert relying_party(app).attestation is not None
