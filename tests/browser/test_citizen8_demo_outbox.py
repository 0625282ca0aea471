"""The demo outbox (`cedula demo`, linked from the identity-level page) shows each message's
text wrapped to the screen: at 320 px a visitor reads the one-time code's e-mail without
scrolling sideways, and there is no scrolling box a keyboard cannot reach.

Before: each message was a <pre> whose long lines did not wrap, a box scrolling sideways at
320 px that axe-core reports as serious (scrollable-region-focusable, WCAG 2.1.1), and prose
that needs two-dimensional scrolling (WCAG 1.4.10)."""

from __future__ import annotations

import pytest

from infra.notify import get_outbox
from tests.browser.test_reflow import demo_server  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

BODY = ("Hola:\n\nAlguien pidió comprobar su identidad en Cédula con sus datos del registro civil. "
        "Si fue usted, escriba este código en la página de Cédula:\n\n    3878 5626\n\n"
        "El código sirve una sola vez durante 15 minutos.\n")


def test_citizen8_outbox_messages_wrap_at_320_px(browser, demo_server):  # noqa: F811
    get_outbox(demo_server.app).send(channel="email", address="ana.lopez@correo.example",
                                     subject="Su código para comprobar su identidad en Cédula",
                                     body=BODY, language="es")
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 320, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    browser.driver.get(demo_server.url + "/demo/outbox")
    message = browser.wait_for("#demo-outbox .message")
    assert "3878 5626" in message.text
    wide = browser.driver.execute_script(
        "const m = arguments[0]; return [m.scrollWidth, m.clientWidth];", message)
    assert wide[0] <= wide[1], f"the message scrolls sideways at 320 px: {wide}"
    browser.assert_accessible()
