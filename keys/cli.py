"""`cedula keys ...` (master key, OIDC signing keys) and `cedula pki ...` (document PKI).

Init commands are idempotent and quick the second time: `make run` calls them on every start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from infra.cli_errors import errors_as_messages
from keys.errors import KeyStoreError, KeyStoreUnavailable

if TYPE_CHECKING:
    from keys.service import KeyService


def _service() -> KeyService:
    from keys.service import get_service

    return get_service()


@contextmanager
def _key_failures() -> Iterator[None]:
    """Key errors become a clean one-line message (the app context comes from `AppGroup`); a key
    store that cannot be opened says which settings to check."""
    with errors_as_messages(KeyStoreError):
        try:
            yield
        except KeyStoreUnavailable as exc:
            raise click.ClickException(exc.sentence(_backend())) from None


_key_errors = _key_failures()


def _backend() -> str:
    from infra.config import get_settings

    try:
        return str(get_settings()["keys"]["backend"])
    except Exception:  # no settings to read: the sentence names both kinds of store
        return ""


@click.group("keys", cls=AppGroup)
def keys_group() -> None:
    """Key custody: master key and OpenID Connect signing keys."""


@keys_group.command("init")
@_key_errors
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
@_key_errors
def keys_rotate(algs: tuple[str, ...]) -> None:
    """Publish the next signing keys now; they sign after jwks.prepublish_seconds. Safe to run
    again (or twice at once): while a next key is published, nothing more is rotated (exit 0)."""
    from keys.errors import RotationPending

    service = _service()
    try:
        result = service.keyring.rotate(service.now(), algs=algs or None)
    except RotationPending as exc:
        click.echo(f"nothing rotated: {exc}")
        return
    for key in result.published:
        click.echo(f"{key.alg} {key.kid} published; signs from {key.active_at.isoformat()}")
    for kid in result.removed:
        click.echo(f"removed retired key {kid}")


@keys_group.command("list")
@_key_errors
def keys_list() -> None:
    """The signing keys and where each is in its rotation: a header line, then one key a line
    (algorithm, key id, state, when it signs from, when it leaves the JWKS)."""
    service = _service()
    service.keyring.prune(service.now())
    service.keyring.invalidate()
    now = service.now()
    found = service.keyring.keys()
    if not found:
        click.echo("no signing keys yet: run `cedula keys init`")
        return
    rows = [(key.alg, key.kid, "active" if key.active(now) else "next" if key.active_at > now else "retired",
             key.active_at.isoformat(), key.remove_at.isoformat() if key.remove_at else "-") for key in found]
    # A header line naming the columns, which are aligned under it.
    header = ("ALG", "KID", "STATE", "ACTIVE FROM", "LEAVES JWKS")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        click.echo("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=False)) + "  " + row[-1])


@click.group("pki", cls=AppGroup)
def pki_group() -> None:
    """The document PKI: CAs, seal certificates, revocation."""


@pki_group.command("init")
@_key_errors
def pki_init() -> None:
    """Create the root CA, issuing CA, TSA and OCSP certificates (once; safe to rerun).

    \b
    This is the root key ceremony (docs/pki.md): run it on the signing host with the root's
    token attached (PKCS#11) or the key store at hand, witnessed, and record the printed
    SHA-256 of the root. Afterwards the web process never uses the root key: the issuing CA
    signs certificates and CRLs, a short-lived delegated responder answers OCSP, and only
    `cedula pki renew issuing` and `cedula pki crl root` need the root again.
    """
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
              help="organizationIdentifier (required), ETSI EN 319 412-1 form: type + country + '-' + "
                   "identifier, e.g. NTRSV-0614-010101-001-1 or VATSV-06142006901011.")
@_key_errors
def pki_issue_seal(client_id: str, organization: str | None,
                   organization_id: str | None) -> None:
    """Issue an agency's electronic-seal certificate and print it (PEM)."""
    from keys.subject_names import organization_identifier

    identifier = organization_identifier(organization_id, option="--organization-id")  # before the key store opens
    service = _service()
    issued = service.pki.issue_seal(client_id=client_id,
                                    organization_name=organization or client_id,
                                    organization_identifier=identifier,
                                    now=service.now())
    click.echo(issued.pem, nl=False)


@pki_group.command("revoke")
@click.argument("serial")
@click.option("--reason", default="unspecified", show_default=True,
              help="RFC 5280 reason: keyCompromise, cACompromise, affiliationChanged, "
                   "superseded, cessationOfOperation, certificateHold, privilegeWithdrawn, "
                   "aACompromise, unspecified.")
@click.option("--invalidity-date", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z",
                                                                 "%Y-%m-%dT%H:%M:%S",
                                                                 "%Y-%m-%d"]),
              default=None, help="Since when the key is known or suspected compromised "
                                 "(RFC 5280, 5.3.2), UTC unless an offset is given; "
                                 "signatures not proven older are then distrusted.")
@_key_errors
def pki_revoke(serial: str, reason: str, invalidity_date: datetime | None) -> None:
    """Revoke a certificate by serial (hex, as `openssl x509 -serial` prints it)."""
    service = _service()
    status = service.pki.revoke(serial=serial, reason=reason, now=service.now(),
                                invalidity_date=invalidity_date)
    since = f", invalid since {status.invalidity_date.isoformat()}" \
        if status.invalidity_date else ""
    click.echo(f"revoked {status.serial.upper()} ({reason}{since}) at "
               f"{status.revoked_at.isoformat() if status.revoked_at else '-'}; "
               f"the {status.issuer} CRL was reissued")


@pki_group.command("renew")
@click.argument("certificate", type=click.Choice(["tsa", "ocsp", "issuing"]))
@click.option("--if-due", is_flag=True,
              help="Only when the certificate is within its renewal window ([pki] renew_before_days): "
                   "safe to run from cron, or twice.")
@_key_errors
def pki_renew(certificate: str, if_due: bool) -> None:
    """Issue the successor of the TSA, OCSP responder or issuing CA certificate now.

    TSA and OCSP get a new key (they also renew themselves within their window); the
    issuing CA is certified again under the same key by the root (a root key ceremony).
    Without --if-due every run issues another successor. With --if-due, a certificate due but
    capped by its issuer's end is not renewed: the command says which issuer to renew (exit 1).
    Under a revoked issuing CA nothing is renewed (exit 1, saying why).
    """
    from keys import succession

    service = _service()
    if not service.pki.renew(certificate, service.now(), only_if_due=if_due):
        service.pki.invalidate()  # another process may have renewed it first
        material = service.pki.material()
        moments = {"not_after": getattr(material, certificate).certificate.not_valid_after,
                   "issuer_not_after": material.ca(succession.ISSUER[certificate]).certificate.not_valid_after,
                   "now": service.now(), "window": service.pki.renewal_window(certificate)}
        why = succession.not_renewed(name=certificate, **moments)
        if succession.capped(**moments):  # only renewing its issuer helps: the operator must act
            raise click.ClickException(why)
        click.echo(why)
        return
    cert = getattr(service.pki.material(), certificate).certificate
    click.echo(f"{certificate} renewed: serial {cert.serial_number:X}, valid until "
               f"{cert.not_valid_after.isoformat()}")


@pki_group.command("crl")
@click.argument("ca", type=click.Choice(["root", "issuing"]))
@_key_errors
def pki_crl(ca: str) -> None:
    """Issue a CA's CRL now (the root's needs the root key: a ceremony, before it expires)."""
    service = _service()
    if ca == "root":
        service.pki.publish_root_crl(service.now())
    else:
        service.pki.publish_issuing_crl(service.now())
    next_update = service.pki.crl_next_update(ca)
    click.echo(f"{ca} CRL issued; next update {next_update.isoformat() if next_update else 'unknown'}")


@pki_group.command("status")
@_key_errors
def pki_status() -> None:
    """When each PKI certificate and the root CRL expire, and what is due for renewal."""
    from keys import renewal

    service = _service()
    now = service.now()
    due = service.pki.due(now)
    moments = renewal.lifetimes(service.pki)
    for name, moment in moments.items():
        state = f"DUE: {renewal.remedy(name, moments)}" if name in due else "ok"
        click.echo(f"{name:9} expires {moment.isoformat()}  {state}")
    if due:
        raise SystemExit(1)


@pki_group.command("export-root")
@_key_errors
def pki_export_root() -> None:
    """Print the root CA certificate (PEM) for verifiers' trust stores."""
    from keys.x509 import pem

    click.echo(pem(_service().pki.material().root.certificate), nl=False)


@pki_group.command("list")
@_key_errors
def pki_list() -> None:
    """Every issued certificate: serial, role, status, subject."""
    from keys.models import Certificate

    service = _service()
    with service.custody.database.read() as session:
        rows = session.scalars(sa.select(Certificate).order_by(Certificate.created_at))
        for row in rows:
            status = f"revoked ({row.revocation_reason})" if row.revoked_at else "valid"
            click.echo(f"{row.serial.upper()}  {row.role:8}  {status:24}  {row.subject}")

