"""Logos are PNG, JPEG or WebP only, recognised by their bytes, within size and dimensions."""

from __future__ import annotations

import pytest

from clients.registry.raster import ImageRefused, check_raster
from tests.support.images import SVG, jpeg_header, png, webp_lossless


def test_the_three_raster_formats_and_their_dimensions():
    assert (check_raster(png(40, 20)).content_type, check_raster(png(40, 20)).width,
            check_raster(png(40, 20)).height) == ("image/png", 40, 20)
    jpeg = check_raster(jpeg_header(64, 40))
    assert (jpeg.content_type, jpeg.width, jpeg.height) == ("image/jpeg", 64, 40)
    webp = check_raster(webp_lossless(50, 20))
    assert (webp.content_type, webp.width, webp.height) == ("image/webp", 50, 20)


@pytest.mark.parametrize(("data", "reason"), [
    (SVG, "type"),
    (b"<html><script>alert(1)</script></html>", "type"),
    (b"GIF89a" + b"\x00" * 20, "type"),
    (b"", "type"),
    (png(8, 8), "dimensions"),
    (png(4000, 16), "dimensions"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "corrupt"),
    (png(32, 32)[:-12], "corrupt"),                      # no IEND
    (png(32, 32) + b"<script>", "corrupt"),              # bytes after IEND
    (png(32, 32)[:40] + b"X" + png(32, 32)[41:], "corrupt"),  # a CRC that does not match
    (webp_lossless(50, 20) + b"extra", "corrupt"),
    (b"\xff\xd8\xff\xe0\x00", "corrupt"),
])
def test_refusals_say_why(data, reason):
    with pytest.raises(ImageRefused) as caught:
        check_raster(data)
    assert caught.value.reason == reason


def test_too_big_is_refused_before_looking_inside():
    with pytest.raises(ImageRefused) as caught:
        check_raster(png(32, 32, padding=300 * 1024))
    assert caught.value.reason == "size"
    assert "at most 262144" in str(caught.value)
