"""The wallet form's line on a document's verification (CSV) page (`signing.verify.other_forms`):
whether the document was issued to wallets, and whether those credentials are valid. A
credential's state is its document's: its status list bit is derived from it."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from idp.wallet import sd_jwt_vc
from idp.wallet.models import IssuedCredential
from infra.db import Database
from infra.web.i18n import gettext as _
from signing.verify.other_forms import OtherForm


def provider(database: Database) -> Callable[[str, str], OtherForm]:
    def wallet_form(document_id: str, document_status: str) -> OtherForm:
        with database.read() as session:
            issued = session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)
                                    .where(IssuedCredential.document_id == document_id)) or 0
        heading = _("wallet.verify.title")
        if not issued:
            return OtherForm(sd_jwt_vc.FORMAT, "not_issued", heading, _("wallet.verify.none"),
                             {"credentials": 0})
        if document_status == "valid":
            return OtherForm(sd_jwt_vc.FORMAT, "valid", heading,
                             _("wallet.verify.valid", count=str(issued)), {"credentials": issued})
        return OtherForm(sd_jwt_vc.FORMAT, "revoked", heading, _("wallet.verify.revoked"),
                         {"credentials": issued})

    return wallet_form
