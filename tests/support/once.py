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


def elsewhere(action: Callable[[], object]) -> None:
    """Run `action` to its end in a thread of its own, as another request would: with Flask
    contexts of its own, not those of the request it interrupts (a test client request made
    inside that request shares its application context, so its `g` and the signed-in session
    cached there). What `action` raises is raised here."""
    import threading

    failed: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # handed to the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


def after_passing(monkeypatch, owner: object, name: str, then: Callable[[], object]) -> None:
    """`then()` runs `elsewhere`, right after `owner.name` (a check of the request under test)
    returned, before the request goes on: the race's other side commits between the check
    and what the request writes on its strength."""
    real = getattr(owner, name)

    def meanwhile(*args: object, **kwargs: object) -> object:
        passed = real(*args, **kwargs)
        elsewhere(then)
        return passed

    monkeypatch.setattr(owner, name, meanwhile)


def before_first_call(monkeypatch, owner: object, name: str, then: Callable[[], object]) -> None:
    """`then()` runs `elsewhere`, once, just before the first call of `owner.name` (a step of
    the request under test): the race's other side lands at that moment."""
    real = getattr(owner, name)
    first = once(lambda: elsewhere(then))

    def late(*args: object, **kwargs: object) -> object:
        first()
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, late)
