"""Reading /metrics in tests: the scrape (with the operator's bearer token) and one value."""

from __future__ import annotations

import re

from infra.config import get_settings
from infra.ops.metrics import TOKEN_FILE


def scrape(client) -> str:
    """/metrics as the app's test `client` gets it, with the token in the data folder."""
    token = (get_settings(client.application).data_dir / TOKEN_FILE).read_text().strip()
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)


def value(body: str, pattern: str) -> float:
    """The value of the sample matching `pattern` in a scrape `body` (0 when absent)."""
    found = re.search(pattern + r" ([0-9.e+]+)$", body, re.MULTILINE)
    return float(found.group(1)) if found else 0.0
