"""`cedula wallet ...`: the operator's commands for wallets.

- `cedula wallet trusted-issuers list|add FILE|remove FINGERPRINT`: the PID issuers whose
  credentials prove a citizen's identity (a PEM file, `wallet.trusted_issuers`); each speaks
  only for the country (C=) of its PID signing certificate (`vp_response.check_issuing_country`);
- `cedula wallet status-lists [--client ID]`: each agency's Token Status Lists, their URL,
  how full they are and how many credentials they mark invalid;
- `cedula wallet metadata`: the Credential Issuer Metadata wallets see.

The groups are `flask.cli.AppGroup`s: their commands run inside the application context.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from idp.wallet.settings import WalletSettings


@click.group("wallet", cls=AppGroup)
def wallet_group() -> None:
    """Digital wallets: trusted PID issuers, status lists, issuer metadata."""


@wallet_group.group("trusted-issuers", cls=AppGroup)
def trusted_issuers() -> None:
    """The PID issuers trusted for sign-up and proofing with a wallet."""


def _settings() -> WalletSettings:
    from flask import current_app

    from idp.wallet import settings as wallet_settings
    from infra.config import get_settings

    return wallet_settings.load(get_settings(current_app))


@trusted_issuers.command("list")
def list_issuers() -> None:
    """Print each trusted certificate: SHA-256 fingerprint, subject, validity."""
    from idp.wallet import trust

    path = _settings().trusted_issuers
    anchors = trust.read_anchors(path)
    if not anchors:
        click.echo(f"no trusted PID issuer ({path}); add one with "
                   "`cedula wallet trusted-issuers add FILE`")
    for cert in anchors:
        click.echo(f"{trust.fingerprint(cert)}  {cert.subject.rfc4514_string()}  "
                   f"{cert.not_valid_before_utc:%Y-%m-%d} .. {cert.not_valid_after_utc:%Y-%m-%d}")


@trusted_issuers.command("add")
@click.argument("pem_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def add_issuer(pem_file: Path) -> None:
    """Trust the certificates in PEM_FILE (a PID issuer's root or issuing CA). Its PIDs are
    accepted only for the country (C=) of their signing certificate."""
    from idp.wallet import trust

    try:
        new = trust.load_pem_bundle(pem_file.read_bytes())
    except ValueError as exc:
        raise click.ClickException(f"{pem_file}: {exc}") from None
    if not new:
        raise click.ClickException(f"{pem_file} holds no certificate")
    path = _settings().trusted_issuers
    trust.write_anchors(path, [*trust.read_anchors(path), *new])
    for cert in new:
        click.echo(f"trusted {trust.fingerprint(cert)}  {cert.subject.rfc4514_string()}")


@trusted_issuers.command("remove")
@click.argument("fingerprint")
def remove_issuer(fingerprint: str) -> None:
    """Stop trusting the certificate with this SHA-256 fingerprint (as `list` prints it)."""
    from idp.wallet import trust

    path = _settings().trusted_issuers
    anchors = trust.read_anchors(path)
    wanted = fingerprint.lower().replace(":", "")
    kept = [c for c in anchors if trust.fingerprint(c) != wanted]
    if len(kept) == len(anchors):
        raise click.ClickException(f"no trusted certificate has the fingerprint {fingerprint}")
    trust.write_anchors(path, kept)
    click.echo(f"removed {wanted}")


@wallet_group.command("status-lists")
@click.option("--client", "client_id", default=None, help="Only this agency's lists.")
def status_lists(client_id: str | None) -> None:
    """Each status list: agency, URL, entries used of its size, entries marked invalid."""
    from flask import current_app

    from idp.wallet import status_list
    from infra.db import get_db

    settings = _settings()
    with get_db(current_app).read() as session:
        states = [status_list.state(session, row.id) for row in status_list.lists(session, client_id)]
    if not states:
        click.echo("no status list yet: one is made when an agency's first credential is issued")
    for state in states:
        if state is not None:
            click.echo(f"{state.client_id}  {status_list.uri(settings.issuer, state.id)}  "
                       f"used {state.used}/{state.size}  invalid {len(state.invalid)}")


@wallet_group.command("metadata")
def metadata() -> None:
    """Print the Credential Issuer Metadata (OpenID4VCI 1.0, section 12.2) as JSON."""
    from idp.wallet import vci_metadata
    from idp.wallet.service import get_wallet

    wallet = get_wallet()
    click.echo(json.dumps(vci_metadata.issuer_metadata(wallet.settings, signing_alg=wallet.signing_alg),
                          indent=2, ensure_ascii=False))
