"""The database of the whole product: which packages own tables, in dependency order."""

from __future__ import annotations

from infra.db import Schema

SCHEMA = Schema(packages=("infra", "keys", "clients", "idp", "signing"))
