"""`cedula audit verify` and `cedula audit checkpoint`."""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import AppGroup

from idp.audit import audit_log, seal
from idp.audit.chain import canonical, entry_mac


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """The data-sharing log and the operator audit trail (hash chain, signed checkpoints)."""


@audit_group.command("verify")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False),
              help="Check a citizen's downloaded log (JSON) offline instead of the database.")
@click.option("--keys", "keys_path", type=click.Path(exists=True, dir_okay=False),
              help="With --file: the log keys to trust, a copy of <issuer>/audit/log-keys.json kept "
                   "earlier (default: the keys this deployment's key store vouches for).")
@click.option("--kept", "kept_paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A checkpoint kept earlier (a copy of <issuer>/audit/checkpoint.json, or a citizen's "
                   "downloaded log): the log must still hold what it covers, unchanged. Repeatable. "
                   "Without one, a log whose newest entries were cut off cannot be told from a "
                   "shorter log.")
def verify(path: str | None, keys_path: str | None, kept_paths: tuple[str, ...]) -> None:
    """Seal pending entries, then check every entry and checkpoint; name the first entry
    altered, removed or reordered. Then check the operator audit trail (registrar and console
    actions) against the log entries that anchor each record: an edited, deleted or inserted
    record fails too. Checkpoints count only when signed by one of the log's keys,
    each proven to be held by this deployment's key store."""
    from idp.audit import AuditError, trusted_keys, verify_bundle, verify_chain
    from idp.audit.kept import read_kept
    from idp.registrar.trail_proof import verify_trail
    from infra.db import get_db

    log = None
    if path is None:  # the first seal of a new log makes its first key: seal, then trust
        log = audit_log()
        seal(get_db(), log=log)
    try:
        trusted = _kept_keys(keys_path) if keys_path else trusted_keys()
    except (OSError, ValueError, AuditError) as exc:
        raise click.ClickException(f"the log's keys cannot be trusted: {exc}") from None
    if path is not None:
        try:
            proven = verify_bundle(_read_json(path), trusted=trusted)
        except (OSError, ValueError, AuditError) as exc:
            raise click.ClickException(f"the log does not check out: {exc}") from None
        click.echo(f"ok: {proven} entries proven against signed checkpoints")
        unproven = _unproven(_read_json(path), proven)
        if unproven:
            click.echo(f"not proven: {_entries(unproven)} no signed checkpoint covers yet; they may not be "
                       "the log's. Download the log again later to prove them.")
        return
    kept = []
    for kept_path in kept_paths:
        try:
            text = _read_text(kept_path)
            kept.extend(read_kept(_read_json(kept_path) if text.lstrip().startswith("{") else text,
                                  trusted=trusted))
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"the kept checkpoint cannot be used ({kept_path}): {exc}") from None
    assert log is not None
    with get_db().read() as session:
        report = verify_chain(session, trusted=trusted, entry_key=log.entry_key, kept=kept)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.problem is not None:
        problem = report.problem
        where = (f"pending entry id {problem.entry_id}" if problem.kind == "pending"
                 else f"first bad entry: {problem.seq}")
        raise click.ClickException(f"the log was tampered with: {problem.message} ({where}). "
                                   f"{problem.advice}")
    with get_db().read() as session:
        trail = verify_trail(session)
    if trail.problem is not None:
        raise click.ClickException(f"the operator audit trail was tampered with: {trail.problem}. {trail.ADVICE}")
    pending = f" ({report.pending} entries committed since are pending)" if report.pending else ""
    also = (f", and {len(kept)} kept checkpoint{'' if len(kept) == 1 else 's'} "
            f"{'matches' if len(kept) == 1 else 'match'} the log" if kept else "")
    click.echo(f"ok: {report.entries} entries and {report.checkpoints} checkpoints verified{also}{pending}")
    if trail.records or trail.unproven:
        older = (f"; {trail.unproven} older records predate the anchoring and cannot be proven"
                 if trail.unproven else "")
        click.echo(f"ok: {trail.records} operator audit records match the log{older}")


def _unproven(document: Any, proven: int) -> list[int]:
    """The seqs of a checked document's entries beyond the `proven` ones: those it lists as not
    yet covered by a checkpoint (`verify_bundle` refuses any other)."""
    if len(document["entries"]) == proven:
        return []
    covered = {int(seq) for seq in document.get("not_yet_checkpointed", [])}
    return sorted(int(e["seq"]) for e in document["entries"] if int(e["seq"]) in covered)


def _entries(seqs: list[int]) -> str:
    shown = ", ".join(map(str, seqs[:20])) + (", ..." if len(seqs) > 20 else "")
    return f"entry {shown}," if len(seqs) == 1 else f"{len(seqs)} entries ({shown}),"


def _kept_keys(path: str) -> dict[str, dict]:
    """A kept copy of /audit/log-keys.json: kid -> JWK (the endorsement chain is checked)."""
    from idp.audit.log_key import ENDORSEMENT_TYP, public, verify_compact

    document = _read_json(path)
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not keys or not all(isinstance(k, dict) for k in keys):
        raise ValueError(f"{path} is not a JWK Set of log keys")
    trusted: dict[str, dict] = {}
    previous: dict | None = None
    for key in sorted(keys, key=_key_seq):
        claims = verify_compact(str(key.get("endorsement", "")), previous or key, typ=ENDORSEMENT_TYP)
        if claims.get("kid") != key.get("kid") or claims.get("jwk") != public(key):
            raise ValueError(f"log key {key.get('kid')!r} does not match its endorsement")
        trusted[str(key["kid"])] = key
        previous = key
    return trusted


def _read_json(path: str) -> Any:
    """The JSON value in the file at `path`; ValueError (not a traceback) for a file that is
    not UTF-8 JSON or is nested past the parser's recursion limit."""
    with open(path, encoding="utf-8") as handle:
        try:
            return json.load(handle)
        except RecursionError:
            raise ValueError(f"{path} is nested too deeply to be JSON of the log") from None


def _read_text(path: str) -> str:
    """The file at `path` as UTF-8 text; ValueError (not a traceback) when it is not."""
    with open(path, "rb") as handle:
        try:
            return handle.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{path} is not UTF-8 text") from None


def _key_seq(key: dict) -> int:
    """A kept log key's `log_key_seq` (0 if absent); ValueError unless a whole number."""
    seq = key.get("log_key_seq", 0)
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise ValueError(f"log key {key.get('kid')!r} has a log_key_seq that is not a whole "
                         f"number ({seq!r})")
    return seq


@audit_group.group("log-key")
def log_key_group() -> None:
    """The log's own signing key (checkpoints and consent receipts)."""


@log_key_group.command("show")
def log_key_show() -> None:
    """Print the log's key history (made on first use), each key proven by the key store.
    Publish or keep its kids: a verifier that knows them notices a history that changes."""
    from idp.audit import log_keys, trusted_keys
    from idp.audit.log_key import LIMITS
    from infra.db import get_db

    log_keys().current()
    trusted = trusted_keys()
    with get_db().read() as session:
        for row in log_keys().history(session):
            state = "proven" if row.kid in trusted else "NOT PROVEN"
            click.echo(f"{row.seq}\t{row.kid}\t{row.alg}\t{row.created_at:%Y-%m-%d}\t{state}")
    click.echo(LIMITS, err=True)


@log_key_group.command("rotate")
def log_key_rotate() -> None:
    """Add a new log key, endorsed by the current one; the old keys stay and keep verifying."""
    from idp.audit import log_keys

    made = log_keys().rotate()
    click.echo(f"log key {made.seq} ({made.kid}) now signs checkpoints and receipts")


@audit_group.command("seal")
def seal_command() -> None:
    """Chain the pending entries now (what each server process does every seal_seconds); exits
    1 when entries stay pending because their MAC does not match."""
    from idp.audit.seal import pending_count
    from infra.db import get_db

    count = seal(get_db(), log=audit_log())
    click.echo(f"{count} entries sealed")
    with get_db().read() as session:
        left = pending_count(session)
    if left:
        click.echo(f"{left} entries stay pending: their content does not match the MAC the service wrote "
                   "with them; run `cedula audit verify`", err=True)
        raise SystemExit(1)


@audit_group.command("accept")
@click.argument("entry_ids", nargs=-1, type=int, required=True)
def accept_command(entry_ids: tuple[int, ...]) -> None:
    """Chain pending entries whose MAC does not match, as they are now: only after comparing
    them with a backup and knowing why they changed (each acceptance is logged at WARNING)."""
    import logging

    from idp.audit.models import AuditEntry
    from infra.db import get_db

    log = audit_log()
    with get_db().transaction() as session:
        rows = {row.id: row for row in session.query(AuditEntry).filter(AuditEntry.id.in_(entry_ids),
                                                                       AuditEntry.seq.is_(None))}
        missing = sorted(set(entry_ids) - set(rows))
        if missing:
            raise click.ClickException(f"no pending entry with id {', '.join(map(str, missing))}: "
                                       "`cedula audit verify` names the ones to accept; nothing was changed")
        for row in rows.values():
            row.mac = entry_mac(log.entry_key, canonical(row.body().to_json()).decode("utf-8"))
    logging.getLogger(__name__).warning("data-sharing log entries accepted as they are",
                                        extra={"entry_ids": sorted(rows)})
    count = seal(get_db(), log=log)
    click.echo(f"accepted {len(rows)} entries; {count} entries sealed")


@audit_group.command("checkpoint")
def checkpoint_command() -> None:
    """Sign a checkpoint of the chain head now (for cron, before backups, after rotations)."""
    from idp.audit import checkpoint
    from infra.db import get_db

    with get_db().transaction() as session:
        seq = checkpoint(session)
    click.echo("the log is empty" if seq is None else f"checkpoint at entry {seq}")

