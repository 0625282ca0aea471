"""What an operator does to agency clients, whether from `cedula clients ...` or the operator
console: one home for building an operator's registration and granting restricted scopes, so
that both check exactly the same things (`validate_metadata` underneath, as RFC 7591 does)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from clients.registry.metadata import (
    AGENCY_SCOPES,
    RESTRICTED_SCOPES,
    ClientMetadataError,
    Permissions,
    validate_metadata,
)
from clients.registry.models import Client
from clients.registry.provider_rules import check_provider_rule
from clients.registry.services import (
    Registration,
    SectorFetcher,
    _now,
    _screen,
    fetch_sector_identifier,
    find_client,
    register_client,
)


@dataclass(frozen=True)
class OperatorRegistration:
    """An operator's answers for a new agency portal (CLI options or console form)."""

    name: str
    redirect_uris: tuple[str, ...] = ()
    post_logout_uris: tuple[str, ...] = ()
    backchannel_logout_uri: str | None = None
    auth_method: str = "client_secret_basic"
    jwks: Mapping[str, Any] | None = None
    jwks_uri: str | None = None
    # private_key_jwt: the algorithm of its assertions; None: the one its keys sign with.
    assertion_alg: str | None = None
    scopes: tuple[str, ...] = ()
    grant_types: tuple[str, ...] = ()
    subject_type: str = "pairwise"
    sector_identifier_uri: str | None = None
    id_token_alg: str = "ES256"  # noqa: S105 - an algorithm name
    application_type: str = "web"
    purpose: str | None = None
    contacts: tuple[str, ...] = field(default_factory=tuple)
    security_profile: str | None = None  # "fapi2" | "oidc"; None: fapi2 with a restricted scope
    # Language-tagged metadata (OIDC Registration section 2.1): {"client_name#en": "...", ...}.
    localized: Mapping[str, str] = field(default_factory=dict)
    logo_uri: str | None = None
    max_assurance_level: str | None = None  # "low" | "substantial" | "high" (high: fapi2 by default)
    default_acr_values: tuple[str, ...] = ()  # acr URIs of a request that names no level


def metadata_of(answers: OperatorRegistration) -> dict[str, Any]:
    """RFC 7591 client metadata from the operator's answers; agency scopes (documents:issue,
    indicators:read) bring the client credentials grant unless grant types are given."""
    metadata: dict[str, Any] = {
        "client_name": answers.name,
        "redirect_uris": list(answers.redirect_uris),
        "token_endpoint_auth_method": answers.auth_method,
        "subject_type": answers.subject_type,
        "id_token_signed_response_alg": answers.id_token_alg,
        "application_type": answers.application_type,
    }
    if answers.scopes:
        metadata["scope"] = " ".join(answers.scopes)
    if answers.grant_types:
        metadata["grant_types"] = list(answers.grant_types)
    elif set(AGENCY_SCOPES) & set(answers.scopes):
        metadata["grant_types"] = ["authorization_code", "refresh_token", "client_credentials"]
        if not answers.redirect_uris:
            metadata["grant_types"] = ["client_credentials"]
    if answers.post_logout_uris:
        metadata["post_logout_redirect_uris"] = list(answers.post_logout_uris)
    if answers.backchannel_logout_uri:
        metadata["backchannel_logout_uri"] = answers.backchannel_logout_uri
    if answers.jwks is not None and answers.jwks_uri:
        raise ClientMetadataError("jwks", "give jwks or jwks_uri, not both")
    if answers.jwks is not None:
        metadata["jwks"] = dict(answers.jwks)
    if answers.jwks_uri:
        metadata["jwks_uri"] = answers.jwks_uri
    if answers.assertion_alg:
        metadata["token_endpoint_auth_signing_alg"] = answers.assertion_alg
    if answers.sector_identifier_uri:
        metadata["sector_identifier_uri"] = answers.sector_identifier_uri
    if answers.purpose:
        metadata["purpose"] = answers.purpose
    if answers.contacts:
        metadata["contacts"] = list(answers.contacts)
    if answers.security_profile:
        metadata["security_profile"] = answers.security_profile
    if answers.logo_uri:
        metadata["logo_uri"] = answers.logo_uri
    for key, value in answers.localized.items():
        if "#" not in key:
            raise ClientMetadataError(key, "name a language: field#tag, e.g. client_name#en")
        metadata[key] = value
    if answers.max_assurance_level:
        metadata["max_assurance_level"] = answers.max_assurance_level
    if answers.default_acr_values:
        metadata["default_acr_values"] = list(answers.default_acr_values)
    return metadata


def register_by_operator(session: Session, answers: OperatorRegistration, *, client_id: str | None = None,
                         fetch_sector: SectorFetcher = fetch_sector_identifier,
                         screen: Callable[[str], None] | None = None) -> Registration:
    """Register an agency portal with an operator's permissions (restricted scopes allowed,
    an off-host back-channel URI approved); the secret is in the result, shown once."""
    return register_client(session, metadata=metadata_of(answers), permissions=Permissions(operator=True),
                           client_id=client_id, fetch_sector=fetch_sector, screen=screen)


def grant_scopes(session: Session, client_id: str, scopes: Iterable[str]) -> Client:
    """Add restricted scopes to a client; an agency scope also brings the client credentials
    grant (which needs an authenticated client). Validated like any registration."""
    wanted = [s for s in dict.fromkeys(scopes) if s]
    if not wanted:
        raise ClientMetadataError("scope", "name at least one scope to grant")
    unknown = [s for s in wanted if s not in RESTRICTED_SCOPES]
    if unknown:
        raise ClientMetadataError("scope", f"{unknown[0]} is not a restricted scope; grant one of "
                                  f"{', '.join(RESTRICTED_SCOPES)}")
    client = find_client(session, client_id, enabled_only=False)
    current = str(client.client_metadata.get("scope", "")).split()
    metadata = {**client.client_metadata, "scope": " ".join(dict.fromkeys([*current, *wanted]))}
    grant_types = list(metadata.get("grant_types", []))
    if set(wanted) & set(AGENCY_SCOPES) and "client_credentials" not in grant_types:
        metadata["grant_types"] = [*grant_types, "client_credentials"]
    # The operator grants the scopes, not the rest of what a self-registered agency asked for: its
    # own `security_profile: oidc` (registered while it held no restricted scope) does not keep a
    # restricted scope out of FAPI 2.0 as an operator's would (`metadata._security_profile`).
    scope_list = tuple(metadata["scope"].split())
    permissions = Permissions(operator=client.operator_registered, extra_scopes=scope_list)
    try:
        validated = validate_metadata(metadata, permissions)
    except ClientMetadataError as exc:
        if exc.field != "security_profile":
            raise
        raise ClientMetadataError("security_profile", f"client {client_id} registered itself with security_profile "
                                  "oidc, and a restricted scope needs FAPI 2.0: the agency updates its registration "
                                  "to security_profile fapi2 (private_key_jwt, PAR, DPoP), or an operator registers "
                                  "it with oidc (cedula clients register --security-profile oidc)") from None
    check_provider_rule(validated)
    _screen(validated, None)
    client.client_metadata = validated
    client.updated_at = _now()
    return client
