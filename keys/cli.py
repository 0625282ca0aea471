"""`cedula keys ...` (master key, OIDC signing keys) and `cedula pki ...` (document PKI).

Init commands are idempotent and quick the second time: `make run` calls them on every start.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
import sqlalchemy as sa

from keys.errors import KeyStoreError


def _service():
    from keys.service import get_service

    return get_service(click.get_current_context().find_root().obj.app)


def _in_app(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run inside the app context; key errors become a clean one-line message."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        app = click.get_current_context().find_root().obj.app
        with app.app_context():
            try:
                return fn(*args, **kwargs)
            except KeyStoreError as exc:
                raise click.ClickException(str(exc)) from None

    return wrapper


@click.group("keys")
def keys_group() -> None:
    """Key custody: master key and OpenID Connect signing keys."""


@keys_group.command("init")
@_in_app
def keys_init() -> None:
    """Open the key store (creating the master key file if needed) and make signing keys."""
    service = _service()
    store = service.custody.initialise()
    made = service.keyring.bootstrap(service.now())
    if made:
        click.echo(f"signing keys created: {', '.join(made)} ({store.backend} key store)")
    else:
        click.echo(f"key store ready ({store.backend}); signing keys already exist")


@keys_group.command("rotate")
@click.option("--alg", "algs", multiple=True, type=click.Choice(["ES256", "RS256"]),
              help="Rotate only this algorithm (repeatable; default: all).")
@_in_app
def keys_rotate(algs: tuple[str, ...]) -> None:
    """Publish the next signing keys now; they sign after jwks.prepublish_seconds."""
    service = _service()
    result = service.keyring.rotate(service.now(), algs=algs or None)
    for key in result.published:
        click.echo(f"{key.alg} {key.kid} published; signs from {key.active_at.isoformat()}")
    for kid in result.removed:
        click.echo(f"removed retired key {kid}")


@keys_group.command("list")
@_in_app
def keys_list() -> None:
    """The signing keys and where each is in its rotation."""
    service = _service()
    service.keyring.prune(service.now())
    service.keyring.invalidate()
    now = service.now()
    for key in service.keyring.keys():
        state = ("active" if key.active(now) else "next" if key.active_at > now
                 else "retired")
        removal = key.remove_at.isoformat() if key.remove_at else "-"
        click.echo(f"{key.alg}  {key.kid}  {state:8}  active {key.active_at.isoformat()}  "
                   f"leaves JWKS {removal}")


@click.group("pki")
def pki_group() -> None:
    """The document PKI: CAs, seal certificates, revocation."""


@pki_group.command("init")
@_in_app
def pki_init() -> None:
    """Create the root CA, issuing CA, TSA and OCSP certificates (once; safe to rerun)."""
    service = _service()
    created = service.pki.init(service.now())
    root = service.pki.material().root.certificate
    verb = "created" if created else "already exists"
    click.echo(f"PKI {verb}; root {root.subject.human_friendly}, "
               f"SHA-256 {root.sha256.hex()}")


@pki_group.command("issue-seal")
@click.option("--client", "client_id", required=True, help="The agency's client_id.")
@click.option("--organization", help="Organisation name in the subject (default: client_id).")
@click.option("--organization-id",
              help="organizationIdentifier, e.g. VATSV-06142006901011 (default: client_id).")
@_in_app
def pki_issue_seal(client_id: str, organization: str | None,
                   organization_id: str | None) -> None:
    """Issue an agency's electronic-seal certificate and print it (PEM)."""
    service = _service()
    issued = service.pki.issue_seal(client_id=client_id,
                                    organization_name=organization or client_id,
                                    organization_identifier=organization_id or client_id,
                                    now=service.now())
    click.echo(issued.pem, nl=False)


@pki_group.command("revoke")
@click.argument("serial")
@click.option("--reason", default="unspecified", show_default=True,
              help="RFC 5280 reason: keyCompromise, cACompromise, affiliationChanged, "
                   "superseded, cessationOfOperation, certificateHold, privilegeWithdrawn, "
                   "aACompromise, unspecified.")
@_in_app
def pki_revoke(serial: str, reason: str) -> None:
    """Revoke a certificate by serial (hex, as `openssl x509 -serial` prints it)."""
    service = _service()
    status = service.pki.revoke(serial=serial, reason=reason, now=service.now())
    click.echo(f"revoked {status.serial.upper()} ({reason}) at "
               f"{status.revoked_at.isoformat() if status.revoked_at else '-'}; "
               f"the {status.issuer} CRL was reissued")


@pki_group.command("export-root")
@_in_app
def pki_export_root() -> None:
    """Print the root CA certificate (PEM) for verifiers' trust stores."""
    from keys.x509 import pem

    click.echo(pem(_service().pki.material().root.certificate), nl=False)


@pki_group.command("list")
@_in_app
def pki_list() -> None:
    """Every issued certificate: serial, role, status, subject."""
    from keys.models import Certificate

    service = _service()
    with service.custody.database.read() as session:
        rows = session.scalars(sa.select(Certificate).order_by(Certificate.created_at))
        for row in rows:
            status = f"revoked ({row.revocation_reason})" if row.revoked_at else "valid"
            click.echo(f"{row.serial.upper()}  {row.role:8}  {status:24}  {row.subject}")


def commands() -> list[click.Command]:
    return [keys_group, pki_group]
