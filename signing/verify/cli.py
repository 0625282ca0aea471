"""`cedula verify FILE [--json]` and `cedula documents revoke ID --reason ...`.

`cedula verify` exits with the verdict, for scripts:
0 TOTAL-PASSED, 1 TOTAL-FAILED, 2 INDETERMINATE, 3 input it cannot read
(a missing file, or a file that is empty, not a PDF, damaged, encrypted or too large),
4 the signatures are not TOTAL-FAILED but the issuing agency revoked or superseded the
document (JSON: "document_status"), 5 nothing was verified: a usage error (an option it does not
take, no FILE) or a setting that cannot work (click's and the other commands' 2 would read as
INDETERMINATE here).
`--json` prints the report of `POST /api/verify`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import update_wrapper
from pathlib import Path
from typing import Any, Protocol

import click

from signing.i18n import LANGUAGES
from signing.verify.report import Indication, VerificationReport

EXIT_CODES = {Indication.TOTAL_PASSED: 0, Indication.TOTAL_FAILED: 1,
              Indication.INDETERMINATE: 2}
EXIT_UNREADABLE = 3
EXIT_WITHDRAWN = 4
EXIT_NOT_RUN = 5


class NotVerifiedUsage(click.UsageError):
    """A usage error of `cedula verify`: exit `EXIT_NOT_RUN`, not click's 2 (INDETERMINATE)."""

    exit_code = EXIT_NOT_RUN


class NotVerifiedSetting(click.ClickException):
    """A setting that cannot work, met by `cedula verify`: exit `EXIT_NOT_RUN`."""

    exit_code = EXIT_NOT_RUN


class VerifyCommand(click.Command):
    """`cedula verify`: a usage error exits `EXIT_NOT_RUN`, not click's 2 (INDETERMINATE)."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise NotVerifiedUsage(exc.message, exc.ctx) from None


def exit_code(report: VerificationReport) -> int:
    """A forgery (1) before a withdrawal (4) before an open question (2)."""
    if report.indication is Indication.TOTAL_FAILED:
        return EXIT_CODES[report.indication]
    if report.withdrawn:
        return EXIT_WITHDRAWN
    return EXIT_CODES[report.indication]


class Verification(Protocol):
    """What the command asks of verification (`signing.verify.command.CommandVerification`,
    or an app's `signing.verify.service.VerificationService`)."""

    @property
    def max_bytes(self) -> int: ...

    def verify(self, data: bytes) -> VerificationReport: ...


def _verification() -> Verification:
    """The root object's verification (`idp.cli`: built without any web app), or the service
    of the app Flask's `ScriptInfo` builds."""
    context = click.get_current_context()
    build = getattr(context.find_root().obj, "verification", None)
    if build is not None:
        verification: Verification = build()
        return verification
    from flask.cli import ScriptInfo

    from signing.verify.service import get_verification

    return get_verification(context.ensure_object(ScriptInfo).load_app())


def with_appcontext(command: Callable[..., None]) -> Callable[..., None]:
    """`flask.cli.with_appcontext`, Flask imported when the command runs (not for `verify`)."""

    def run(*args: object, **kwargs: object) -> None:
        from flask.cli import with_appcontext as in_app_context

        in_app_context(command)(*args, **kwargs)

    return update_wrapper(run, command)


@click.command("verify", cls=VerifyCommand)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (the API's).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=LANGUAGES[0], show_default=True,
              help="Language of the texts in the report.")
def verify_command(file: Path, as_json: bool, lang: str) -> None:
    """Verify the signatures of a PDF: exit 0 valid, 1 failed, 2 indeterminate, 3 unreadable,
    4 withdrawn by its issuer (revoked or superseded), 5 not verified (usage or settings)."""
    from infra.config import ConfigError
    from signing.verify.errors import DatabaseUnreadable, UnreadableDocument

    try:
        with file.open("rb") as handle:
            try:
                verification = _verification()
            except ConfigError as exc:
                click.echo(f"Error: {exc}", err=True)
                sys.exit(EXIT_NOT_RUN)
            # at most one byte more than accepted: /dev/zero or a huge file is refused
            # without being read into memory
            data = handle.read(verification.max_bytes + 1)
    except OSError as exc:
        _unreadable(as_json, "unreadable_file", f"{file}: {exc.strerror or exc}")
    if len(data) > verification.max_bytes:
        _unreadable(as_json, "file_too_large", f"The file has more than "
                    f"{verification.max_bytes} bytes; at most {verification.max_bytes} are "
                    "accepted.")
    try:
        report = verification.verify(data)
    except UnreadableDocument as exc:
        _unreadable(as_json, exc.error, exc.description)
    except DatabaseUnreadable as exc:  # nothing verified: exit 5, as a setting that cannot work
        if as_json:
            click.echo(json.dumps({"error": exc.error, "error_description": exc.description}))
        else:
            click.echo(f"Error: {exc.description}", err=True)
        sys.exit(EXIT_NOT_RUN)
    if as_json:
        click.echo(json.dumps(report.as_json(lang), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(report, lang))
    sys.exit(exit_code(report))


def _unreadable(as_json: bool, code: str, description: str) -> None:
    if as_json:
        click.echo(json.dumps({"error": code, "error_description": description}))
    else:
        click.echo(f"Error: {description}", err=True)
    sys.exit(EXIT_UNREADABLE)


def render_text(report: VerificationReport, language: str) -> str:
    """The report for a terminal: the verdict first, then one block per signature."""
    sub = f" ({report.conclusion.sub_indication})" if report.conclusion.sub_indication else ""
    lines = [f"{report.indication.value}{sub}", report.summary(language),
             f"SHA-256: {report.sha256}"]
    if report.withdrawn:
        lines.insert(0, f"DOCUMENT {str(report.document_status).upper()} BY ITS ISSUER")
    lines += [f"WARNING: {message}" for _kind, message in report.active_messages(language)]
    document = report.document
    if document is not None:
        status = document.status.upper()
        if document.revoked_at is not None:
            status += f" {document.revoked_at:%Y-%m-%d %H:%M} UTC"
        lines += ["", f"{document.message(language)}", f"  CSV: {document.csv}",
                  f"  {document.type} · {document.issuer} · {document.issued_at:%Y-%m-%d}",
                  f"  status: {status}" + (f" ({document.reason})" if document.reason else "")]
    signed = report.citizen_signed
    if signed is not None:  # who signed it and when; never an agency's document
        lines += ["", signed.message(language), f"  CSV: {signed.csv}"]
    for number, sig in enumerate(report.signatures, start=1):
        conclusion = sig.conclusion
        sub = f" ({conclusion.sub_indication})" if conclusion.sub_indication else ""
        lines += ["", f"[{number}] {sig.field}: {conclusion.indication.value}{sub}",
                  f"  {sig.message(language)}"]
        if sig.signer is not None:
            org = f" · {sig.signer.organization}" if sig.signer.organization else ""
            lines.append(f"  signer: {sig.signer.name}{org}")
        if sig.role(language):
            lines.append(f"  signed as: {sig.role(language)}")
        if sig.approval_text(language):
            lines.append(f"  approval: {sig.approval_text(language)}")
        if sig.signing_time:  # what the signer wrote, proven by nothing (the page says so too)
            lines.append(f"  signing time (as declared): {sig.signing_time:%Y-%m-%d %H:%M:%S %Z}")
        if sig.timestamp:
            lines.append(f"  time-stamp: {sig.timestamp.time:%Y-%m-%d %H:%M:%S %Z} · "
                         f"{sig.timestamp.authority}"
                         + ("" if sig.timestamp.valid else " (not valid)"))
        anchor = sig.trust_anchor.subject if sig.trust_anchor else "none"
        revocation = sig.revocation
        revoked = "".join([f" at {revocation.revoked_at:%Y-%m-%d %H:%M:%S %Z}"
                           if revocation.revoked_at else "",
                           f" ({revocation.reason})" if revocation.reason else "",
                           f", invalid since {revocation.invalidity_date:%Y-%m-%d %H:%M:%S %Z}"
                           if revocation.invalidity_date else ""])
        if sig.timestamps_not_used:
            lines.append(f"  document time-stamps not used: {', '.join(sig.timestamps_not_used)}")
        lines += [f"  trust anchor: {anchor}", f"  revocation: {revocation.status}{revoked}",
                  f"  level: {('PAdES ' + sig.level) if sig.level else 'none'}",
                  f"  changes: {sig.modifications.explanation(language)}"]
    return "\n".join(lines)


@click.command("revoke")
@with_appcontext
@click.argument("document_id")
@click.option("--reason", required=True, help="Why the document is withdrawn (shown to verifiers).")
@click.option("--superseded-by", "replacement", metavar="ID",
              help="Mark it as replaced by this newer document instead of revoking it.")
def revoke_command(document_id: str, reason: str, replacement: str | None) -> None:
    """Revoke an issued document (its seal stays valid; verification shows it revoked)."""
    from infra.db import get_db
    from keys import get_service
    from signing.verify import document_revocation
    from signing.verify.errors import VerificationError

    now = get_service().now()
    try:
        if replacement:
            change = document_revocation.supersede(get_db(), document_id=document_id,
                                                   replacement_id=replacement, reason=reason, now=now)
        else:
            change = document_revocation.revoke(get_db(), document_id=document_id, reason=reason, now=now)
    except VerificationError as exc:
        raise click.ClickException(exc.description) from None
    click.echo(f"document {change.id} ({change.csv}) is now {change.status} "
               f"since {change.revoked_at:%Y-%m-%d %H:%M} UTC: {change.reason}")

