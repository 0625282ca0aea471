"""The documents component of an application: the `DocumentService` (`signing.service`) and
its archive time-stamp task (`signing.archive.ArchiveRenewal`), built by `init_app`.

Its own module because the task works on the service: building both belongs to neither.
"""

from __future__ import annotations

from flask import Flask

import keys
from infra.config import get_settings
from infra.db import get_db
from infra.leases import Leases
from infra.ops.background import start_with_first_request
from signing.archive import ArchiveRenewal
from signing.service import DOCUMENTS, Directory, DocumentService


def init_app(app: Flask, *, directory: Directory) -> DocumentService:
    """The document service, and the archive time-stamp task (started with the first request
    this process serves, so that commands never start one); the temporaries of writers killed
mid-write are swept at once. The identity provider passes the
    `Directory` through which `signing` learns about citizens and agencies."""
    service = DocumentService(settings=get_settings(app), database=get_db(app),
                              key_service=keys.get_service(app), directory=directory)
    archive = service.renewal = ArchiveRenewal(
        service, seconds=service.settings.archive_renew_hours * 3600,
        horizon=service.settings.archive_renew_before, leases=Leases(get_db(app)))

    start_with_first_request(app, archive)
    service.store.sweep_temporaries()  # what writers killed mid-write left (one folder's listing)

    return DOCUMENTS.install(app, service)
