"""A session's device in plain words, from its browser's User-Agent ("Chrome on Windows").

Only the browser family and the operating system: enough for a citizen to recognise a device,
no version numbers and nothing that identifies the person further.
"""

from __future__ import annotations

from dataclasses import dataclass

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("EdgiOS/", "Edge"), ("EdgA/", "Edge"), ("Edg/", "Edge"), ("Edge/", "Edge"),
    ("OPR/", "Opera"), ("OPiOS/", "Opera"), ("SamsungBrowser/", "Samsung Internet"),
    ("FxiOS/", "Firefox"), ("Firefox/", "Firefox"), ("CriOS/", "Chrome"),
    ("HeadlessChrome/", "Chrome"), ("Chromium/", "Chromium"), ("Chrome/", "Chrome"),
    ("Version/", "Safari"),
)
# iPhone and iPad before "Mac OS X", which they also contain; Android before Linux.
_SYSTEMS = (
    ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "ChromeOS"),
    ("Windows", "Windows"), ("Macintosh", "macOS"), ("Mac OS X", "macOS"), ("Linux", "Linux"),
)


@dataclass(frozen=True)
class Device:
    browser: str | None
    system: str | None


def describe(user_agent: str) -> Device:
    browser = next((name for token, name in _BROWSERS if token in user_agent), None)
    if browser == "Safari" and "Safari/" not in user_agent:
        browser = None
    system = next((name for token, name in _SYSTEMS if token in user_agent), None)
    return Device(browser=browser, system=system)
