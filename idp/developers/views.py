"""/developers (the guide) and /developers/api (the API reference): server-rendered, no script."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, current_app, render_template

from idp.developers import reference
from idp.developers.markdown import Rendered, render
from infra.components import Slot
from infra.openapi import build

log = logging.getLogger(__name__)

bp = Blueprint("developers", __name__)

# docs/agencies.md in the repository; this identical copy ships in the package (a test checks).
SOURCE = Path(__file__).resolve().parent / "agencies.md"

GUIDE: Slot[Rendered | None] = Slot("developer guide")


def load_guide(source: Path = SOURCE) -> Rendered | None:
    """The guide rendered once at start; None (and a log line) when it is not shipped."""
    try:
        return render(source.read_text(encoding="utf-8"), without_title=True)
    except OSError as exc:
        log.warning("developer guide %s not available: %s", source, exc)
        return None


@bp.get("/developers")
def guide() -> str:
    return render_template("developers/guide.html", guide=GUIDE.of(current_app))


@bp.get("/developers/api")
def api() -> str:
    document = build()
    schemas = reference.schemas(document)
    return render_template("developers/api.html", document=document, operations=reference.operations(document),
                           schemas=schemas, schema_names={schema.name for schema in schemas})
