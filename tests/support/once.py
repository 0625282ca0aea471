"""A race's other side, injected at one moment: the first call runs it, later calls do nothing."""

from __future__ import annotations

from collections.abc import Callable


def once(action: Callable[[], object]) -> Callable[[], None]:
    """A callable that runs `action` on its first call only (a hook that fires on every call of
    the patched function, where the race needs the other side once)."""
    done: list[bool] = []

    def run() -> None:
        if not done:
            done.append(True)
            action()
    return run
