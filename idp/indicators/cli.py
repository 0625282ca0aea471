"""`cedula indicators export`: the daily counts of a period as CSV or JSON."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup


@click.group("indicators", cls=AppGroup)
def indicators_group() -> None:
    """Indicators: daily counts of what the service does, by agency."""


@indicators_group.command("export")
@click.option("--start", help="First day, YYYY-MM-DD (default: 29 days before --end).")
@click.option("--end", help="Last day, included, YYYY-MM-DD (default: today, UTC).")
@click.option("--step", type=click.Choice(("day", "week", "month")), default="day", show_default=True)
@click.option("--agency", help="One agency's client_id (default: every agency and the platform).")
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True)
@click.option("--exact", is_flag=True,
              help="Exact counts, also below the privacy floor: for the operator only, never to publish.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
def export(start: str | None, end: str | None, step: str, agency: str | None, fmt: str, exact: bool,
           output: str | None) -> None:
    """Export the indicators of a period. Counts below [indicators] privacy_floor are written
    as "< floor" unless --exact."""
    from flask import current_app

    from idp.indicators.export import as_csv, as_json
    from idp.indicators.report import PeriodError, parse_period
    from idp.indicators.services import report
    from idp.indicators.settings import indicator_settings
    from infra.db import get_db
    from infra.indicators import today

    settings = indicator_settings()
    try:
        period = parse_period(start=start, end=end, step=step, today=today(), max_days=settings.max_days)
    except PeriodError as exc:
        raise click.BadParameter(exc.description, param_hint=f"--{exc.field}") from None
    with get_db(current_app).read() as session:
        found = report(session, period, agency=agency)
    floor = None if exact else settings.privacy_floor
    text = as_csv(found, floor=floor) if fmt == "csv" else \
        json.dumps(as_json(found, floor=floor), ensure_ascii=False, indent=2) + "\n"
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)
