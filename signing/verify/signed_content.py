"""A stored document found by what its signatures sign, when the file's other bytes differ.

Every byte of a signed PDF is signed except each signature's /Contents value (ISO 32000-1,
12.8.1) and what follows the last signature; the look-up by SHA-256 (`lookup`) needs them all.
Two edits that break no signature made a withdrawn document unknown, its seal then reported
valid with nothing said of the withdrawal: the file cut after the seal (the document
time-stamp and its validation data dropped), and a /Contents rewritten (its hexadecimal digits
in the other case, or another unsigned attribute in the CMS).

A document this service issued carries its verification code in what its seal signs (printed,
and in its XMP metadata). The codes written in a file only propose documents (`codes`); one
is that document when, for a signature of the stored original, the file holds the very bytes
that signature signs, with that same signature (signed attributes and value: another signer's
CMS over the same bytes is not the seal), and a signature of the file ends where it does
(`signs_the_same`): the file then says what the agency sealed, whatever else changed around it.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from signing import csv as verification_code

# a code as printed: five groups of four symbols of Crockford's Base32 (`signing.csv`)
_SYMBOL = rb"[0-9A-HJKMNP-TV-Z]"
_CODE = re.compile(rb"(?<![0-9A-Za-z])" + _SYMBOL + rb"{4}(?:-" + _SYMBOL + rb"{4}){4}(?![0-9A-Za-z])")
_RANGE = re.compile(rb"/ByteRange\s*\[\s*0\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]")
MAX_CODES = 4  # documents proposed by one file (each costs a read of a stored original)
MAX_RANGES = 64  # signatures of a stored original compared (the service writes two or three)


def codes(data: bytes) -> list[str]:
    """The well-formed verification codes written in `data`, in file order, each once, at most
    `MAX_CODES` (a document's own code is in its first revision, before any other)."""
    found: list[str] = []
    for match in _CODE.finditer(data):
        code = match.group().decode("ascii")
        if code not in found and verification_code.is_valid(code):
            found.append(code)
            if len(found) == MAX_CODES:
                break
    return found


def byte_ranges(original: bytes) -> list[tuple[int, int, int]]:
    """(end of the first range, start of the second, end of the signed bytes) of each
    signature byte range [0 a b c] written in `original` (a stored document: well formed)."""
    ranges = []
    for match in _RANGE.finditer(original):
        first, second, length = (int(v) for v in match.groups())
        if 0 < first < second and second + length <= len(original):
            ranges.append((first, second, second + length))
        if len(ranges) == MAX_RANGES:
            break
    return ranges


def signs_the_same(data: bytes, original: bytes, *, signed_ends: Collection[int]) -> bool:
    """Whether `data` holds exactly what a signature of `original` signs, at the same offsets,
    with that very signature (`same_signature`), and a signature of `data` (`signed_ends`: its
    well-formed byte ranges' ends) ends there."""
    ends = set(signed_ends)
    view, stored = memoryview(data), memoryview(original)
    for first, second, end in byte_ranges(original):
        if end in ends and end <= len(data) and view[:first] == stored[:first] \
                and view[second:end] == stored[second:end] \
                and same_signature(data[first:second], original[first:second]):
            return True
    return False


def same_signature(gap: bytes, original_gap: bytes) -> bool:
    """Whether two /Contents values (`<hex>`) hold the same signature: the same signed
    attributes and signature value of each signer (what is unsigned, the hexadecimal digits'
    case, unsigned attributes, the certificates carried, may differ). Another signer's CMS
    over the same bytes is not the document's seal."""
    signers = [_signers(value) for value in (gap, original_gap)]
    return signers[0] is not None and signers[0] == signers[1]


def _signers(gap: bytes) -> list[tuple[bytes, bytes]] | None:
    """(signed attributes as encoded, signature value) of each SignerInfo of the CMS that
    `gap` (`<hex>`, zero-padded) holds; None if it holds none."""
    from asn1crypto import cms, parser

    try:
        contents = bytes.fromhex(gap.strip()[1:-1].decode("ascii"))
        _, _, _, header, body, trailer = parser.parse(contents)
        info = cms.ContentInfo.load(contents[:len(header) + len(body) + len(trailer)])
        return [(signer["signed_attrs"].dump(), bytes(signer["signature"]))
                for signer in info["content"]["signer_infos"]]
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        return None


__all__ = ["byte_ranges", "codes", "same_signature", "signs_the_same"]
