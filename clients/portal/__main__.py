"""`python -m clients.portal`: serve one demo portal configured by PORTAL_* variables."""

from __future__ import annotations

import logging
import os
import sys
from urllib.parse import urlsplit

from werkzeug.serving import make_server

from clients.portal.app import create_portal
from clients.portal.config import PortalConfigError, from_environment


class OneLineFormatter(logging.Formatter):
    """One event a line: a line break in what a visitor sent (a callback's error_description,
    a logout token) is written as \\r or \\n, never as a line of its own (log injection)."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


def main() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("%(asctime)s portal %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    try:
        config = from_environment(os.environ)
    except PortalConfigError as exc:
        print(f"portal: {exc}", file=sys.stderr)
        sys.exit(2)
    port = urlsplit(config.base_url).port or 80
    host = os.environ.get("PORTAL_HOST", "127.0.0.1")
    make_server(host, port, create_portal(config), threaded=True).serve_forever()


if __name__ == "__main__":
    main()
