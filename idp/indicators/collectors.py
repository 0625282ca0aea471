"""Gauges computed on scrape for the platform team's alerts (not domain counts): how far the
data-sharing log's signed checkpoints lag behind, how many entries wait for the sealer, and
how many back-channel logout deliveries the outbox holds or gave up on. A few small queries
per scrape; a scrape never fails because the database is away (the gauges are then missing,
and `up`/`/readyz` tell the rest)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from idp.audit.models import AuditEntry, ChainHead
from infra.db import Database, get_db
from infra.models import OUTBOX
from infra.ops.metrics import REGISTRY
from infra.utc import as_utc

log = logging.getLogger(__name__)


class PlatformCollector(Collector):
    def __init__(self) -> None:
        self.database: Database | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        lag = GaugeMetricFamily("cedula_audit_checkpoint_age_seconds",
                                "Seconds since the data-sharing log's newest signed checkpoint")
        pending = GaugeMetricFamily("cedula_audit_pending_entries",
                                    "Data-sharing log entries not yet chained by the sealer")
        oldest = GaugeMetricFamily("cedula_audit_oldest_pending_seconds",
                                   "Age of the oldest data-sharing log entry not yet chained (0: none); an "
                                   "entry the sealer refuses (changed in the database) stays and ages")
        outbox = GaugeMetricFamily("cedula_outbox_messages", "Outbox messages by topic and state",
                                   labels=["topic", "state"])
        if self.database is not None:
            try:
                with self.database.read() as session:
                    head = session.get(ChainHead, 1)
                    waiting, first = session.execute(sa.select(sa.func.count(), sa.func.min(AuditEntry.at))
                                                     .where(AuditEntry.seq.is_(None))).one()
                    rows = session.execute(sa.select(OUTBOX.c.topic, OUTBOX.c.state, sa.func.count())
                                           .where(OUTBOX.c.state != "delivered")
                                           .group_by(OUTBOX.c.topic, OUTBOX.c.state)).all()
            except (SQLAlchemyError, OSError) as exc:
                log.warning("platform gauges not read", extra={"error": type(exc).__name__})
            else:
                if head is not None and head.checkpoint_at is not None:
                    lag.add_metric([], (datetime.now(UTC) - as_utc(head.checkpoint_at)).total_seconds())
                pending.add_metric([], float(waiting or 0))
                first_at = as_utc(first)
                oldest.add_metric([], max(0.0, (datetime.now(UTC) - first_at).total_seconds()) if first_at else 0.0)
                for topic, state, number in rows:
                    outbox.add_metric([topic, state], float(number))
        yield lag
        yield pending
        yield oldest
        yield outbox


_COLLECTOR = PlatformCollector()
_LOCK = threading.Lock()
_registered = False


def expose(app: Flask) -> None:
    """Report this app's database in /metrics (one collector per process, the latest app)."""
    global _registered
    with _LOCK:
        if not _registered:
            REGISTRY.register(_COLLECTOR)
            _registered = True
    _COLLECTOR.database = get_db(app)
