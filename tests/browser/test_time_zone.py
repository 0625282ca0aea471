"""Times in the citizen's time zone: the page's own script (no inline code, strict CSP) tells the
server the browser's zone, and the next page shows its times in it."""

from __future__ import annotations

import re

import pytest

from tests.browser.flows import enrol, new_person

pytestmark = pytest.mark.browser


def _times(browser) -> list[str]:
    return [t.text.strip() for t in browser.all("time")]


def test_the_sessions_page_learns_the_browsers_zone_and_shows_times_in_it(browser):
    browser.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"})
    browser.new_device()
    enrol(browser, new_person())
    assert browser.driver.get_cookie("tz") is None  # the recovery codes page shows no time
    browser.open("/account/sessions")
    first = _times(browser)
    assert first and all(t.endswith("(GMT-06:00)") for t in first), first  # the setting's zone, said
    browser.wait(lambda d: d.get_cookie("tz"), "the time zone script did not set the tz cookie")
    assert browser.driver.get_cookie("tz")["value"] == "Asia/Tokyo"
    browser.open("/account/sessions")
    shown = _times(browser)
    assert shown and not any("GMT" in t for t in shown), shown
    # San Salvador is 15 hours behind Tokyo: the same moment, another wall-clock time.
    hours = [int(re.search(r"(\d+):\d\d", t).group(1)) for t in (first[0], shown[0])]
    assert (hours[0] + 15) % 24 == hours[1]
