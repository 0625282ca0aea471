"""Agency logos are raster images only: PNG (ISO/IEC 15948), JPEG (ITU T.81 / JFIF) or WebP
(RFC 9649), recognised by their magic bytes, read for their dimensions and, for PNG, walked
chunk by chunk with each CRC up to IEND (nothing may follow). SVG, HTML and
anything else are refused: an SVG is a document that can carry scripts and links.

No image library decodes the pixels here: the bytes are served as they are, from Cédula's
own origin with `Content-Type` fixed to the type found, `nosniff` and a `sandbox` CSP.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

MAX_BYTES = 256 * 1024
MAX_SIDE = 2048
MIN_SIDE = 16

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class ImageRefused(ValueError):
    """Not an acceptable logo; `reason` is machine-readable ("type", "size", "dimensions",
    "corrupt"), the message says what was expected and what was found."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class RasterImage:
    content_type: str  # image/png | image/jpeg | image/webp
    width: int
    height: int


def _png(data: bytes) -> tuple[int, int]:
    # The IHDR chunk comes first: length 13, "IHDR", width, height (section 11.2.2); then every
    # chunk is walked with its CRC (section 5.3) up to IEND, with nothing after it.
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise ImageRefused("corrupt", "a PNG must start with its IHDR chunk")
    at, kinds = 8, []
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind = data[at + 4:at + 8]
        end = at + 12 + length
        if end > len(data) or zlib.crc32(data[at + 4:end - 4]) != struct.unpack(">I", data[end - 4:end])[0]:
            raise ImageRefused("corrupt", f"the PNG chunk {kind!r} is cut short or its CRC is wrong")
        kinds.append(kind)
        at = end
        if kind == b"IEND":
            break
    if not kinds or kinds[-1] != b"IEND" or at != len(data) or b"IDAT" not in kinds:
        raise ImageRefused("corrupt", "a PNG must hold image data and end with IEND")
    return struct.unpack(">II", data[16:24])


def _jpeg(data: bytes) -> tuple[int, int]:
    # Walk the markers up to a start-of-frame (T.81 B.2.2): height, then width.
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise ImageRefused("corrupt", "a JPEG marker was expected")
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        if marker in _JPEG_SOF:
            if at + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        if marker == 0xDA or length < 2:
            break
        at += 2 + length
    raise ImageRefused("corrupt", "the JPEG has no frame header")


def _webp(data: bytes) -> tuple[int, int]:
    # RFC 9649 section 2.5 (VP8 lossy), 2.6 (VP8L lossless), 2.7 (VP8X extended).
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    raise ImageRefused("corrupt", "the WebP has no VP8, VP8L or VP8X header")


def check_raster(data: bytes, *, max_bytes: int = MAX_BYTES) -> RasterImage:
    """The image `data` is, or ImageRefused: PNG, JPEG or WebP only, at most `max_bytes`,
    each side between MIN_SIDE and MAX_SIDE pixels."""
    if len(data) > max_bytes:
        raise ImageRefused("size", f"the image has {len(data)} bytes; at most {max_bytes} are accepted")
    if data.startswith(_PNG):
        content_type, (width, height) = "image/png", _png(data)
    elif data.startswith(b"\xff\xd8\xff"):
        content_type, (width, height) = "image/jpeg", _jpeg(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        if struct.unpack("<I", data[4:8])[0] + 8 != len(data):
            raise ImageRefused("corrupt", "the WebP's RIFF size is not the file's size")
        content_type, (width, height) = "image/webp", _webp(data)
    else:
        raise ImageRefused("type", "expected a PNG, JPEG or WebP image (SVG and other formats are refused)")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ImageRefused("dimensions", f"the image is {width}x{height} pixels; each side must be "
                           f"{MIN_SIDE} to {MAX_SIDE}")
    return RasterImage(content_type=content_type, width=width, height=height)
