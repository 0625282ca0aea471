"""`cedula clients ...`: the operator's tools for agency clients."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from clients.registry.logos import refresh_logos
from clients.registry.metadata import (
    ASSURANCE_LEVELS,
    AUTH_METHODS,
    SECURITY_PROFILES,
    SIGNING_ALGS,
    ClientMetadataError,
)
from clients.registry.operator import OperatorRegistration, grant_scopes, register_by_operator
from clients.registry.services import (
    ASSERTION_AUDIENCES,
    ClientRegistryError,
    approve_backchannel,
    find_client,
    issue_initial_token,
    list_clients,
    public_metadata,
    rotate_secret,
    sector_of,
    set_assertion_audience,
    set_enabled,
)
from infra.config import get_settings
from infra.db import get_db


@contextmanager
def _registry(*, write: bool = True) -> Iterator[Session]:
    """A transaction (or a read) on the registry; a registry error (no such client, a value the
    metadata rules refuse) ends the command with its message instead of a traceback."""
    database = get_db()
    try:
        with database.transaction() if write else database.read() as session:
            yield session
    except ClientMetadataError as exc:
        raise click.ClickException(f"{exc.error}: {exc.description}") from None
    except ClientRegistryError as exc:
        raise click.ClickException(str(exc)) from None


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _operator_view(client: Any, issuer: str) -> dict[str, Any]:
    """The client's metadata plus what only operators set and see."""
    return {**public_metadata(client, issuer=issuer),
            "operator": {"pairwise_sector": sector_of(client), "sector_fixed": client.sector is not None,
                         "assertion_audience": client.assertion_audience,
                         "backchannel_approved_uri": client.backchannel_approved_uri}}


@click.group(cls=AppGroup)
def clients() -> None:
    """Agency portals registered as OpenID Connect clients."""


@clients.command("register")
@click.option("--name", required=True, help="The agency portal's name, shown to citizens.")
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="Exact redirect URI (repeatable).")
@click.option("--post-logout-redirect-uri", "post_logout_uris", multiple=True,
              help="Where RP-initiated logout may return (repeatable).")
@click.option("--backchannel-logout-uri", help="OIDC Back-Channel Logout endpoint of the portal.")
@click.option("--auth-method", type=click.Choice(AUTH_METHODS), default="client_secret_basic",
              show_default=True, help="Token endpoint authentication.")
@click.option("--jwks", "jwks_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File with the client's public JWK Set (private_key_jwt).")
@click.option("--jwks-uri", help="URL of the client's public JWK Set (private_key_jwt).")
@click.option("--assertion-alg", type=click.Choice(SIGNING_ALGS),
              help="private_key_jwt: the algorithm of the client's assertions (token_endpoint_auth_signing_alg; "
                   "default: the one the keys of --jwks sign with, else ES256).")
@click.option("--scope", "scopes", multiple=True,
              help="Scope the client may ask for (repeatable; default: openid profile email offline_access).")
@click.option("--grant-type", "grant_types", multiple=True,
              type=click.Choice(("authorization_code", "refresh_token", "client_credentials")),
              help="Grant type (repeatable; default: authorization_code and refresh_token, plus "
                   "client_credentials when documents:issue or indicators:read is granted).")
@click.option("--subject-type", type=click.Choice(("pairwise", "public")), default="pairwise", show_default=True)
@click.option("--sector-identifier-uri", help="https URL listing the redirect URIs of one sector.")
@click.option("--id-token-alg", type=click.Choice(("ES256", "RS256")), default="ES256", show_default=True)
@click.option("--application-type", type=click.Choice(("web", "native")), default="web", show_default=True)
@click.option("--purpose", help="Why the agency asks for the citizen's data, shown on the consent page.")
@click.option("--client-id", help="Use this client_id instead of a random one.")
@click.option("--logo-uri", help="https URL of the agency's logo (PNG, JPEG or WebP), fetched and kept by Cédula.")
@click.option("--localized", "localized", multiple=True, metavar="FIELD#TAG=VALUE",
              help="A value in one language, e.g. 'client_name#en=Tax Agency' (client_name, purpose, "
                   "logo_uri, client_uri, policy_uri, tos_uri; repeatable).")
@click.option("--security-profile", type=click.Choice(SECURITY_PROFILES),
              help="fapi2 (the default with a restricted scope: private_key_jwt, PAR, DPoP) or oidc.")
@click.option("--max-level", type=click.Choice(ASSURANCE_LEVELS),
              help="Highest level of assurance the portal may ask for (high: fapi2 by default; "
                   "absent: high for fapi2, substantial otherwise).")
@click.option("--default-acr", "default_acr", multiple=True, metavar="ACR_URI",
              help="Level URI of a sign-in that names none (default_acr_values; repeatable; at most "
                   "the portal's --max-level).")
def register(name: str, redirect_uris: tuple[str, ...], post_logout_uris: tuple[str, ...],
             backchannel_logout_uri: str | None, auth_method: str, jwks_file: Path | None,
             jwks_uri: str | None, assertion_alg: str | None, scopes: tuple[str, ...],
             grant_types: tuple[str, ...],
             subject_type: str, sector_identifier_uri: str | None, id_token_alg: str,
             application_type: str, purpose: str | None, client_id: str | None,
             logo_uri: str | None, localized: tuple[str, ...], security_profile: str | None,
             max_level: str | None, default_acr: tuple[str, ...]) -> None:
    """Register an agency portal; prints its metadata (the secret is shown only now)."""
    if jwks_file and jwks_uri:
        raise click.UsageError("give --jwks or --jwks-uri, not both")
    jwks = None
    if jwks_file:
        try:
            jwks = json.loads(jwks_file.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise click.BadParameter(f"{jwks_file} is not a JSON JWK Set: {exc}", param_hint="--jwks") from None
    tagged: dict[str, str] = {}
    for item in localized:
        key, sep, value = item.partition("=")
        if not sep or "#" not in key:
            raise click.BadParameter(f"{item!r}: write FIELD#TAG=VALUE", param_hint="--localized")
        tagged[key.strip()] = value
    answers = OperatorRegistration(
        name=name, redirect_uris=redirect_uris, post_logout_uris=post_logout_uris,
        backchannel_logout_uri=backchannel_logout_uri, auth_method=auth_method, jwks=jwks, jwks_uri=jwks_uri,
        assertion_alg=assertion_alg,
        scopes=scopes, grant_types=grant_types, subject_type=subject_type,
        sector_identifier_uri=sector_identifier_uri, id_token_alg=id_token_alg,
        application_type=application_type, purpose=purpose, security_profile=security_profile,
        localized=tagged, logo_uri=logo_uri, max_assurance_level=max_level,
        default_acr_values=default_acr)
    try:
        with get_db().transaction() as session:
            registration = register_by_operator(session, answers, client_id=client_id)
            result = public_metadata(registration.client, issuer=get_settings().issuer)
    except ClientMetadataError as exc:
        raise click.ClickException(f"{exc.error}: {exc.description}") from None
    except Exception as exc:
        if "unique" in str(exc).lower():
            raise click.ClickException(f"client_id {client_id!r} is already registered") from None
        raise
    for outcome in refresh_logos(get_db(), registration.client.client_id):
        if outcome.error:
            click.echo(f"logo {outcome.uri}: {outcome.error} (the agency is shown by name; "
                       "upload one in /operator or fix logo_uri)", err=True)
    if registration.client_secret:
        result["client_secret"] = registration.client_secret
    _echo_json(result)


@clients.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(as_json: bool) -> None:
    """List registered clients."""
    with get_db().read() as session:
        rows = list_clients(session)
        issuer = get_settings().issuer
        if as_json:
            _echo_json([_operator_view(c, issuer) for c in rows])
            return
        for client in rows:
            state = "enabled" if client.enabled else "disabled"
            method = client.client_metadata.get("token_endpoint_auth_method")
            if method == "private_key_jwt":
                method += f" (aud {client.assertion_audience})"
            click.echo(f"{client.client_id}\t{state}\t{method}\t{client.client_metadata.get('client_name', '')}")


@clients.command("show")
@click.argument("client_id")
def show(client_id: str) -> None:
    """Print one client's metadata as JSON."""
    with _registry(write=False) as session:
        _echo_json(_operator_view(find_client(session, client_id, enabled_only=False), get_settings().issuer))


def _toggle(client_id: str, enabled: bool) -> None:
    with _registry() as session:
        set_enabled(session, client_id, enabled=enabled)
    click.echo(f"client {client_id} {'enabled' if enabled else 'disabled'}")


@clients.command("disable")
@click.argument("client_id")
def disable(client_id: str) -> None:
    """Stop a client: no new sign-ins or tokens."""
    _toggle(client_id, False)


@clients.command("enable")
@click.argument("client_id")
def enable(client_id: str) -> None:
    """Allow a disabled client again."""
    _toggle(client_id, True)


@clients.command("approve-backchannel")
@click.argument("client_id")
@click.argument("uri")
def approve_backchannel_command(client_id: str, uri: str) -> None:
    """Approve (and set) a back-channel logout URI that is not on the host of one of the
    client's redirect URIs. The provider POSTs logout tokens there on its own: approve only an
    endpoint you know belongs to the agency. It must still be public https."""
    with _registry() as session:
        approve_backchannel(session, client_id, uri)
    click.echo(f"client {client_id}: back-channel logout to {uri} approved")


@clients.command("assertion-audience")
@click.argument("client_id")
@click.argument("rule", type=click.Choice(ASSERTION_AUDIENCES))
def assertion_audience(client_id: str, rule: str) -> None:
    """Set how a private_key_jwt client's assertions must name the provider (`aud`).

    strict (the default of new clients): the issuer, as one string, as FAPI 2.0 requires.
    legacy (clients registered before strict became the rule): the issuer, the token endpoint
    or the endpoint called, also in an array. Move clients to strict once they send the issuer.
    """
    with _registry() as session:
        set_assertion_audience(session, client_id, rule)
    click.echo(f"client {client_id}: client assertions need aud {rule}")


@clients.command("rotate-secret")
@click.argument("client_id")
def rotate_secret_command(client_id: str) -> None:
    """Give a client a new secret (the old one stops working at once); shown only now."""
    with _registry() as session:
        secret = rotate_secret(session, find_client(session, client_id, enabled_only=False))
    click.echo(secret)


@clients.command("grant-scope")
@click.argument("client_id")
@click.argument("scopes", nargs=-1, required=True)
def grant_scope(client_id: str, scopes: tuple[str, ...]) -> None:
    """Grant restricted SCOPES (national_id, documents:issue, indicators:read) to a client;
    an agency scope also allows the client credentials grant."""
    with _registry() as session:
        granted = grant_scopes(session, client_id, scopes).client_metadata.get("scope", "")
    click.echo(f"client {client_id}: scope {granted}")


@clients.command("initial-token")
@click.option("--label", default="", help="Who the token is for (kept for the audit).")
@click.option("--scope", "scopes", multiple=True, help="Restricted scope clients may register (repeatable).")
@click.option("--uses", type=click.IntRange(min=1, max=1_000_000), default=1, show_default=True)
@click.option("--days", type=click.IntRange(min=1, max=365), default=7, show_default=True)
def initial_token(label: str, scopes: tuple[str, ...], uses: int, days: int) -> None:
    """Issue an initial access token for dynamic registration (RFC 7591); shown only now."""
    with get_db().transaction() as session:
        token = issue_initial_token(session, label=label, scopes=scopes, uses=uses,
                                    valid_for=timedelta(days=days))
    click.echo(token)

