"""The consent component of an app: its policy and receipt signer, built once at start, and the
accessors every other module reads them with (a leaf: it imports no view)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from idp.consent.issued_grants import IssuedGrants
from idp.consent.receipts import ReceiptSigner
from idp.consent.settings import ConsentPolicy
from infra.components import Slot

CONSENTS: Slot[Consents] = Slot("consents")


@dataclass(frozen=True)
class Consents:
    """Built once at start: the settings, the receipt signer (`keys/`) and the provider's
    grants (`idp.oidc`, through `issued_grants.ISSUED_GRANTS`)."""

    policy: ConsentPolicy
    sign: ReceiptSigner
    grants: IssuedGrants


def get_consents(app: Flask | None = None) -> Consents:
    return CONSENTS.of(app)


def basis_for(client_id: str | None, app: Flask | None = None) -> tuple[str, str | None]:
    """The legal basis on which an agency receives data: consent, or a law the operator set."""
    return get_consents(app).policy.basis(client_id)
