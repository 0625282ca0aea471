"""`Wallet`: one per app, built by `idp.wallet.init_app` and read with `get_wallet()`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from cryptography import x509
from flask import Flask

from idp.wallet import authorization, credential, sd_jwt_vc, status_list, trust
from idp.wallet import offer as offers
from idp.wallet.errors import NotOffered
from idp.wallet.settings import WalletSettings
from infra.components import Slot
from infra.db import Database
from infra.store import EphemeralStore as Store
from keys import KeyService
from keys.algorithms import algorithm
from keys.seal_jws import jws_algorithm, sign_with_seal
from signing.models import Document
from signing.service import Directory

WALLET: Slot[Wallet] = Slot("wallet issuer and verifier")
# A status list whose entries did not change is served as signed for this long (its content is
# read from the database every time, so a revocation shows at once; only the signature is saved).
REUSE_SECONDS = 60


class Wallet:
    def __init__(self, *, settings: WalletSettings, database: Database, store: Store,
                 keys: KeyService, directory: Directory) -> None:
        self.settings = settings
        self.database = database
        self.store = store
        self.keys = keys
        self.directory = directory
        self.outbound: Any = None
        """The guarded outbound client (set by init_app); status lists of PID issuers."""
        self._lists: dict[str, tuple[status_list.ListState, float, str]] = {}
        self._lists_lock = threading.Lock()

    @property
    def signing_alg(self) -> str:
        return jws_algorithm(algorithm(str(self.keys.settings["pki"]["end_entity_algorithm"])))

    def _signer(self, client_id: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], str]:
        def sign(header: Mapping[str, Any], payload: Mapping[str, Any]) -> str:
            return sign_with_seal(self.keys, client_id=client_id, header=header,
                                  payload=payload).token
        return sign

    def offer(self, document: Document, *, citizen_id: str, passkey: str | None = None) -> offers.Offer:
        return offers.create(
            self.store, credential_issuer=self.settings.credential_issuer,
            authorization_server=self.settings.authorization_server, document_id=document.id,
            citizen_id=str(citizen_id),
            configuration_id=sd_jwt_vc.configuration_id(str(document.template)),
            ttl=self.settings.offer_seconds, tx_code_length=self.settings.tx_code_length,
            tx_code_attempts=self.settings.tx_code_attempts,
            issuer_state=authorization.remember_issuer_state(
                self.store, document_id=document.id, citizen_id=str(citizen_id),
                ttl=self.settings.offer_seconds),
            passkey=passkey)

    def issue(self, grant: offers.Grant, holder_keys: Sequence[Mapping[str, Any]], *,
              now: datetime) -> list[credential.IssuedVc]:
        """One credential per holder key, all in one transaction; the document must still be
        the citizen's and valid (a revoked document is not issued again)."""
        with self.database.read() as session:
            _, kept = credential.offerable(session, document_id=grant.document_id,
                                                  citizen_id=grant.citizen_id)
        agency = self.directory.agency_name(kept.client_id) or kept.client_id
        with self.database.transaction() as session:
            current = session.get(Document, grant.document_id)
            if current is None or current.status != "valid":
                raise NotOffered("this document was revoked; it is no longer issued")
            issued = [credential.issue(session, settings=self.settings, document=current,
                                       kept=kept, configuration_id=grant.configuration_id,
                                       holder_jwk=key, agency=agency,
                                       sign=self._signer(kept.client_id), now=now,
                                       passkey=grant.passkey)
                      for key in holder_keys]
            from idp import audit

            # The citizen's data-sharing log: the document went to a wallet (the wallet's client
            # in the authorization code flow; none for an offer the citizen scanned).
            audit.append(session, event="wallet.credential_issued", citizen_id=grant.citizen_id,
                         client_id=grant.client_id, reference=current.id, now=now)
            return issued

    def fetch_status(self, uri: str) -> str:
        """A Status List Token over the guarded outbound client (infra.outbound)."""
        from infra.outbound import get_outbound

        response = self.outbound.get(uri, accept=status_list.MEDIA_TYPE) if self.outbound \
            else get_outbound().get(uri, accept=status_list.MEDIA_TYPE)
        if response.status != 200:
            raise ValueError(f"the status list answered {response.status}")
        return response.body.decode("ascii")

    def fetch_revocation(self, url: str, body: bytes | None) -> bytes:
        """A CRL (GET) or an OCSP response (POST of the DER request) over the guarded outbound
        client (infra.outbound): a certificate cannot point it at a private address."""
        from idp.wallet.issuer_revocation import CRL, OCSP_REQUEST, OCSP_RESPONSE
        from infra.outbound import get_outbound

        outbound = self.outbound or get_outbound()
        seconds = self.settings.issuer_revocation_fetch_seconds
        if body is None:
            response = outbound.get(url, accept=CRL, total_seconds=seconds)
        else:
            response = outbound.request("POST", url, body=body, total_seconds=seconds,
                                        headers={"Content-Type": OCSP_REQUEST,
                                                 "Accept": OCSP_RESPONSE},
                                        follow_redirects=False)
        if response.status != 200:
            raise ValueError(f"the revocation responder answered {response.status}")
        return response.body

    def check_issuer_revocation(self, chain: trust.TrustedChain, *, now: datetime) -> None:
        """Refuse a PID whose issuer certificate is revoked, or (policy `require`) whose status
        cannot be obtained (`idp.wallet.issuer_revocation`)."""
        from idp.wallet import issuer_revocation

        issuer_revocation.check(chain.chain or (chain.leaf,), chain.anchor,
                                fetch=self.fetch_revocation, now=now,
                                policy=self.settings.issuer_revocation, store=self.store,
                                max_cache=self.settings.issuer_revocation_cache_seconds)

    def trusted_issuers(self) -> list[x509.Certificate]:
        from idp.wallet import trust

        return trust.read_anchors(self.settings.trusted_issuers)

    def sign_in_offered(self) -> bool:
        """`[wallet] sign_in`, and at least one trusted PID issuer to accept a PID from."""
        return self.settings.enabled and self.settings.sign_in and bool(self.trusted_issuers())

    def status_list_token(self, list_id: str, *, now: datetime) -> str | None:
        if not isinstance(list_id, str) or len(list_id) > 32:
            return None
        with self.database.read() as session:
            listed = status_list.state(session, list_id)
        if listed is None:
            return None
        moment = now.timestamp()
        with self._lists_lock:  # the same list signed moments ago: no new signature needed
            cached = self._lists.get(list_id)
            if cached is not None and cached[0] == listed and moment - cached[1] < REUSE_SECONDS:
                return cached[2]
        claims = status_list.payload(self.settings.issuer, listed, now=int(moment),
                                     ttl=self.settings.status_list_ttl_seconds,
                                     lifetime=self.settings.status_list_seconds)
        token = sign_with_seal(self.keys, client_id=listed.client_id,
                               header={"typ": status_list.TYP}, payload=claims).token
        with self._lists_lock:
            self._lists[list_id] = (listed, moment, token)
        return token


def get_wallet(app: Flask | None = None) -> Wallet:
    return WALLET.of(app)
