"""The `document_title` filter: a document's title in the page's language (`signing.titles`).

`{{ document|document_title }}` on any page that names a document (My documents, the wallet's
offer and authorisation pages); the stored `title` stays what the signed PDF says.
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask

from infra.web.i18n import current_language
from signing.titles import localized_title


class Titled(Protocol):
    template: str | None
    title: str


def document_title(document: Titled) -> str:
    return localized_title(template=document.template, issued_title=document.title,
                           locale=current_language())


def init_app(app: Flask) -> None:
    app.jinja_env.filters["document_title"] = document_title
