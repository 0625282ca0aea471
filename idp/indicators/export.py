"""A report as CSV or JSON: exact for the operator, with the privacy floor for anyone else."""

from __future__ import annotations

import csv
import io
from typing import Any

from idp.indicators.report import Report, Shown, public

FORMATS = ("csv", "json")


def rows(report: Report, *, floor: int | None) -> list[dict[str, Any]]:
    """One row per bucket and series (`floor` None: exact counts)."""
    found: list[dict[str, Any]] = []
    for series in report.series:
        values: tuple[Shown, ...] = series.values if floor is None else public(series, floor).values
        for bucket, value in zip(report.buckets, values, strict=True):
            found.append({"period": bucket.label, "start": bucket.start.isoformat(),
                          "end": bucket.end.isoformat(), "agency": report.agency or "",
                          "kind": series.kind, "dimension": series.dimension, "count": value})
    return found


def as_json(report: Report, *, floor: int | None) -> dict[str, Any]:
    series = []
    for item in report.series:
        if floor is None:
            values: tuple[Shown, ...] = item.values
            total: Shown = item.total
        else:
            masked = public(item, floor)
            values, total = masked.values, masked.total
        series.append({"kind": item.kind, "dimension": item.dimension, "values": list(values),
                       "total": total})
    return {
        "agency": report.agency,
        "start": report.period.start.isoformat(),
        "end": report.period.end.isoformat(),
        "step": report.period.step,
        "privacy_floor": floor,
        "periods": [bucket.label for bucket in report.buckets],
        "series": series,
    }


def _cell(value: Any) -> Any:
    """No formula in a spreadsheet (OWASP CSV injection): text starting with = + - @ is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


CSV_FIELDS = ("period", "start", "end", "agency", "kind", "dimension", "count")


def as_csv(report: Report, *, floor: int | None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")  # RFC 4180
    writer.writeheader()
    for row in rows(report, floor=floor):
        writer.writerow({name: _cell(value) for name, value in row.items()})
    return out.getvalue()
