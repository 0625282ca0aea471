"""An agency's name read with plain SQL, for a process without the ORM (`cedula verify`): the
row `clients.registry.models.Client` maps and the rule of `localized.agency_name`, as
`services.agency_names` gives them. Imports neither Flask nor SQLAlchemy (the package's
`__init__` is lazy).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from clients.registry.localized import name_in

Rows = Callable[[str, Mapping[str, object]], Sequence[Sequence[Any]]]
"""Plain SELECTs with named parameters (`:name`) on the deployment's database."""

# `models.Client`: the table `clients`, its `client_metadata` in the column `metadata` (JSON).
QUERY = "SELECT metadata FROM clients WHERE client_id = :id"


def agency_name_in_sql(rows: Rows, client_id: str, locale: str | None = None) -> str | None:
    """The agency's name in `locale` (its client id if it has none), read with `rows`; None if
    it is no longer registered (enabled or not, as `services.agency_names`)."""
    found = rows(QUERY, {"id": client_id})
    if not found:
        return None
    metadata = found[0][0]
    if isinstance(metadata, str | bytes):
        metadata = json.loads(metadata)
    return name_in(metadata or {}, client_id=client_id, locale=locale)


__all__ = ["QUERY", "Rows", "agency_name_in_sql"]
