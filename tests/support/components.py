"""Swapping one component of a test app for the duration of a test (monkeypatch undoes it)."""

from __future__ import annotations

from typing import TypeVar

import pytest
from flask import Flask

from infra.components import Slot, _registry

T = TypeVar("T")


def replace_component(monkeypatch: pytest.MonkeyPatch, app: Flask, slot: Slot[T], value: T) -> T:
    assert slot.installed(app), f"{slot.name} is not part of this app"
    monkeypatch.setitem(_registry(app), slot, value)
    return value
