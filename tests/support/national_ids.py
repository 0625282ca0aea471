"""National ID numbers for the tests, worked out here and not by the product's schemes (so a
test of a scheme's check digit has an independent answer)."""

from __future__ import annotations


def dui_check_digit(digits: str) -> str:
    """El Salvador's DUI check digit: (10 - sum(digit * weight 9..2) mod 10) mod 10."""
    total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True))
    return str((10 - total % 10) % 10)


def dui(number: int) -> str:
    """A valid DUI ("NNNNNNNN-D") for the last eight digits of `number`."""
    digits = f"{number % 10**8:08d}"
    return f"{digits}-{dui_check_digit(digits)}"
