"""Logos at /register are fetched together within one time budget: a registration naming the
most logos it may (the untagged one and 20 language tags) whose server never answers waits at
most `logos.BUDGET_SECONDS`, not 21 fetches of the outbound client's 5 s one after another;
every fetch still goes through the guarded outbound client."""

from __future__ import annotations

import threading
import time

from clients.registry import logos
from clients.registry.localized import MAX_TAGS
from infra.db import get_db
from tests.support import peers
from tests.support.images import png

TAGS = ["es", "en", "fr", "de", "it", "pt", "nl", "sv", "da", "fi", "no", "pl", "cs", "sk", "hu",
        "ro", "bg", "el", "hr", "sl"]


def _errors(app, client_id):
    with get_db(app).read() as session:
        return {row.language: (row.sha256, row.error) for row in logos.logos_of(session, client_id)}


def test_a_registration_with_21_silent_logo_servers_waits_one_budget(register, fresh_app, monkeypatch):
    assert len(TAGS) == MAX_TAGS
    monkeypatch.setattr(logos, "BUDGET_SECONDS", 1.5, raising=False)
    release = threading.Event()
    with peers.serve(peers.hold(release)) as peer:
        metadata = {"logo_uri": peer.url("/logo.png")}
        metadata.update({f"logo_uri#{tag}": peer.url(f"/{tag}.png") for tag in TAGS})
        started = time.monotonic()
        try:
            body = register(metadata)
        finally:
            elapsed = time.monotonic() - started
            release.set()
    # One after another this took 21 x 5 s; a loaded machine may add a few seconds, not 100.
    assert elapsed < 12, elapsed
    found = _errors(fresh_app, body["client_id"])
    assert set(found) == {"", *TAGS}
    assert all(digest is None and error == "could not be fetched (timeout)" for digest, error in found.values())


def test_logos_are_fetched_concurrently_and_all_kept(register, fresh_app):
    image = png(40, 20)
    with peers.serve(peers.answer(200, image, **{"Content-Type": "image/png"})) as peer:
        metadata = {"logo_uri": peer.url("/logo.png")}
        metadata.update({f"logo_uri#{tag}": peer.url(f"/{tag}.png") for tag in TAGS[:5]})
        body = register(metadata)
    found = _errors(fresh_app, body["client_id"])
    assert set(found) == {"", *TAGS[:5]} and all(error is None for _digest, error in found.values())


def test_the_guard_still_applies_to_concurrent_fetches(register, fresh_app):
    """A logo server that redirects to a private address: refused by the outbound client of
    the application (its policy), also from the fetching threads."""
    with peers.serve(peers.redirect("http://10.0.0.1/logo.png")) as peer:
        body = register({"logo_uri": peer.url("/logo.png"), "logo_uri#en": peer.url("/en.png")})
    found = _errors(fresh_app, body["client_id"])
    assert found == {"": (None, "could not be fetched (address)"), "en": (None, "could not be fetched (address)")}
