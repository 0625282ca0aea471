"""The identity provider's side of `signing.service.Directory` (citizens and agencies, read),
and the data-sharing log entry of a document (`log_release`), which idp writes itself in the
transaction that stores the document."""

from __future__ import annotations

from typing import Any

from clients.registry import ClientNotFound, find_client
from clients.registry import agency_name as localized_name
from clients.registry.services import agency_names
from idp.citizens import services
from idp.citizens.models import Citizen
from idp.citizens.national_id.base import NationalIdScheme, scheme_country
from infra.db import Database
from signing.service import CitizenRef


def citizen_ref(citizen: Citizen) -> CitizenRef:
    return CitizenRef(id=str(citizen.id), given_name=citizen.given_name,
                      family_name=citizen.family_name, national_id=citizen.national_id,
                      national_id_country=scheme_country(citizen.national_id_scheme))


class IdpDirectory:
    def __init__(self, database: Database, scheme: NationalIdScheme) -> None:
        self.database = database
        self.scheme = scheme
        # Handed to `signing` as it is, so verifying reads the names without calling idp back.
        self.agency_names = agency_names

    def citizen(self, citizen_id: str) -> CitizenRef | None:
        with self.database.read() as session:
            citizen = services.get_citizen(session, citizen_id)
            return citizen_ref(citizen) if citizen is not None else None

    def citizen_by_national_id(self, national_id: str) -> CitizenRef | None:
        try:
            number = self.scheme.normalise(national_id)
        except ValueError:
            return None
        with self.database.read() as session:
            citizen = services.find_by_national_id(session, scheme=self.scheme.code,
                                                   national_id=number)
            return citizen_ref(citizen) if citizen is not None else None

    def agency_name(self, client_id: str, language: str | None = None) -> str | None:
        with self.database.read() as session:
            try:
                client = find_client(session, client_id, enabled_only=False)
            except ClientNotFound:
                return None
            return localized_name(client, language)


def declared_purpose(session: Any, client_id: str) -> str | None:
    """The agency's declared purpose, read in the transaction that logs the release."""
    try:
        return find_client(session, client_id, enabled_only=False).client_metadata.get("purpose")
    except ClientNotFound:
        return None


def log_release(session: Any, *, event: str, citizen_id: str, client_id: str | None,
                purpose: str | None, document_id: str, claims: tuple[str, ...] = ()) -> None:
    """Append the data-sharing log entry of a document (`idp.audit`), on the legal basis the
    operator set for the agency (`idp.consent`); `purpose`: the agency's declared purpose."""
    from idp import audit, consent

    basis, law = consent.basis_for(client_id) if client_id else ("consent", None)
    audit.append(session, event=event, citizen_id=citizen_id, client_id=client_id, claims=claims,
                 purpose=purpose, legal_basis=basis, law=law, reference=document_id)
