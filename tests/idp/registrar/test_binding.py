"""idp.registrar.binding: what the /bind confirmation shows of an account."""

from __future__ import annotations

from idp.registrar.binding import mask_name, partial_id


def test_a_name_shows_only_each_words_first_letter():
    assert mask_name("Ana María López Pérez") == "A••• M••• L••• P•••"


def test_a_national_id_shows_only_its_last_characters():
    assert partial_id("01234567-8") == "••••••67-8"
    assert partial_id("AB1") == "•••"  # too short to show any of it
