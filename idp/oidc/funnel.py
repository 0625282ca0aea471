"""authorize -> consent -> code: the funnel of authorization requests per agency and day
(`infra.indicators`), its increments built once a day per agency and steps."""

from __future__ import annotations

from datetime import UTC, datetime

from infra.indicators import Increment, increment

DAY = 86_400
_FUNNEL_MAX = 4_096
# (agency, steps) -> (UTC day number, its increments): the same few per agency, all day.
_funnel_kept: dict[tuple[str, tuple[str, ...]], tuple[int, tuple[Increment, ...]]] = {}


def funnel_counts(client_id: str, steps: tuple[str, ...], day: int) -> tuple[Increment, ...]:
    """The increments of `steps` for `client_id` on UTC day number `day` (built once a day)."""
    key = (client_id, steps)
    kept = _funnel_kept.get(key)
    if kept is not None and kept[0] == day:
        return kept[1]
    on = datetime.fromtimestamp(day * DAY, UTC)
    counts = tuple(increment("funnel.authorization", agency=client_id, dimension=step, now=on) for step in steps)
    if len(_funnel_kept) >= _FUNNEL_MAX:
        _funnel_kept.clear()
    _funnel_kept[key] = (day, counts)
    return counts


__all__ = ["DAY", "funnel_counts"]
