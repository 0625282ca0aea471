"""The consent component of an app: its policy and receipt signer, built once at start, and the
accessors every other module reads them with (a leaf: it imports no view)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from idp.consent.receipts import ReceiptSigner
from idp.consent.settings import ConsentPolicy
from infra.components import Slot

CONSENTS: Slot[Consents] = Slot("consents")


@dataclass(frozen=True)
class Consents:
    """Built once at start: the settings and the receipt signer (`keys/`)."""

    policy: ConsentPolicy
    sign: ReceiptSigner


def get_consents(app: Flask | None = None) -> Consents:
    return CONSENTS.of(app)


def basis_for(client_id: str | None, app: Flask | None = None) -> tuple[str, str | None]:
    """The legal basis on which an agency receives data: consent, or a law the operator set."""
    return get_consents(app).policy.basis(client_id)
