"""`cedula registrar grant/revoke/list`: the registrar role, granted by an operator."""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click
from flask.cli import AppGroup

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from idp.citizens.models import Citizen
    from idp.registrar.services import Actor


def shell_user() -> str:
    """Who runs the command: the login name of the shell (recorded as the operator acting)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def echo_roles(rows: Sequence[tuple[Any, Citizen]], *, none: str,
               place: Callable[[Any], str] | None = None) -> None:
    """One line a role (granted or revoked), tab-separated: `place` (where the role is held,
    when it is held somewhere), national ID, name, state, who granted it; `none` without rows."""
    for role, citizen in rows:
        state = "revoked" if role.revoked_at else "active"
        where = f"{place(role)}\t" if place else ""
        click.echo(f"{where}{citizen.national_id}\t{citizen.full_name}\t{state}\tgranted by {role.granted_by}")
    if not rows:
        click.echo(none)


@click.group("registrar", cls=AppGroup)
def registrar_group() -> None:
    """Registrars: agents of a service point who verify identities in person."""


def citizen_by_national_id(db: Session, national_id: str) -> Citizen:
    """The citizen enrolled with `national_id`, or a ClickException saying why not."""
    from flask import current_app

    from idp.citizens import scheme
    from idp.citizens.national_id import InvalidNationalId
    from idp.citizens.services import find_by_national_id

    try:
        normalised = scheme(current_app).normalise(national_id)
    except InvalidNationalId as exc:
        raise click.ClickException(f"not a valid national ID: {exc}") from None
    citizen = find_by_national_id(db, scheme=scheme(current_app).code, national_id=normalised)
    if citizen is None:
        raise click.ClickException("no citizen is enrolled with this national ID")
    return citizen


def change_role(national_id: str, act: Callable[[Session, Citizen], str], *,
                refused: type[Exception]) -> None:
    """`act` on the citizen NATIONAL_ID in one transaction, echoing the sentence it returns; a
    refusal (`refused`, the package's error family) is the command's error."""
    from flask import current_app

    from infra.db import get_db

    try:
        with get_db(current_app).transaction() as db:
            click.echo(act(db, citizen_by_national_id(db, national_id)))
    except refused as exc:
        raise click.ClickException(str(exc)) from None


@registrar_group.command("grant")
@click.argument("national_id")
@click.option("--service-point", required=True, help="Name of the office the agent works at.")
def grant(national_id: str, service_point: str) -> None:
    """Make the citizen NATIONAL_ID a registrar of a service point.

    The registrar signs in to /registrar at level high: identity proofed in person (by
    another registrar) and a device-bound passkey with trusted attestation."""
    from idp.registrar import services
    from idp.registrar.errors import RegistrarError

    def act(db: Session, citizen: Citizen) -> str:
        role = services.grant(db, citizen=citizen, service_point=service_point, operator=shell_user(),
                              now=datetime.now(UTC))
        return f"{citizen.full_name} is a registrar of {role.service_point}"

    change_role(national_id, act, refused=RegistrarError)


@registrar_group.command("revoke")
@click.argument("national_id")
def revoke(national_id: str) -> None:
    """Take the registrar role away from the citizen NATIONAL_ID."""
    from idp.registrar import services
    from idp.registrar.errors import RegistrarError

    def act(db: Session, citizen: Citizen) -> str:
        services.revoke(db, citizen=citizen, operator=shell_user(), now=datetime.now(UTC))
        return f"{citizen.full_name} is no longer a registrar"

    change_role(national_id, act, refused=RegistrarError)


def check_register(actor: Actor, citizen_id: uuid.UUID, *, now: datetime) -> None:
    """A ClickException unless the civil register holds the account's names and date of birth
    for its national ID (`civil_register.services.match_record`) or no register is configured:
    the check of the desk's "verify" (`idp.registrar.views._document_action`). Level high
    vouches for details typed at an online enrolment and never checked; an impostor enrolled
    with a real person's national ID and a forged document is not raised here either. A
    refusal is trailed (`services.refused_by_register`); a register that cannot answer
    changes nothing."""
    from flask import current_app

    from idp.civil_register.errors import CivilRegisterError
    from idp.civil_register.services import match_record
    from idp.registrar import services
    from infra.db import get_db

    try:
        result = match_record(current_app, citizen_id)
    except CivilRegisterError as exc:
        raise click.ClickException(f"the civil register could not be asked ({exc}): nothing was changed "
                                   "and the desk code was not spent; run the command again later") from None
    if result is None or result.matched:
        return
    with get_db(current_app).transaction() as db:
        services.refused_by_register(db, actor=actor, action="verify", citizen_id=citizen_id,
                                     result=result, now=now)
    held = ("holds no record of this national ID" if result.outcome == "not_found"
            else f"holds other {', '.join(result.fields)} for this national ID than the account")
    raise click.ClickException(f"the civil register {held}: level high was not raised "
                               "(the desk code was not spent); check the document against the account's "
                               "details, and if the register is wrong the person must ask the civil "
                               "registry to correct it")


@registrar_group.command("verify")
@click.argument("national_id")
@click.option("--document-type", required=True, type=click.Choice(["national_id_card", "passport",
                                                                   "residence_permit"]))
@click.option("--document-number", required=True)
@click.option("--document-expiry", required=True, help="YYYY-MM-DD")
@click.option("--desk-code", required=True,
              help="The code the person shows from /account/desk-code, signed in with a passkey of the account.")
@click.option("--service-point", default="",
              help="The office the person chose for the code (none: no registrar office existed then).")
def verify(national_id: str, document_type: str, document_number: str, document_expiry: str,
           desk_code: str, service_point: str) -> None:
    """Record that an operator checked NATIONAL_ID's identity document in person (proofing
    high): how the first registrars get to level high. The person shows that they hold the
    account with a desk code (idp.registrar.desk), as at a registrar's desk; and the civil
    register must hold the account's names and date of birth for its national ID, as at the
    desk (`check_register`)."""
    from flask import current_app

    from idp.registrar import services
    from idp.registrar.desk import redeem_desk_code
    from idp.registrar.documents import parse_document
    from idp.registrar.errors import InvalidDocument, RegistrarError
    from infra.db import get_db
    from infra.secrets import get_secrets
    from infra.store import get_store

    now = datetime.now(UTC)
    actor = services.Actor.operator(shell_user())
    try:
        document = parse_document({"document_type": document_type, "document_number":
                                   document_number, "document_expiry": document_expiry},
                                  today=now.date())
        with get_db(current_app).read() as db:
            citizen_id = citizen_by_national_id(db, national_id).id
        check_register(actor, citizen_id, now=now)  # before the desk code is spent
        with get_db(current_app).transaction() as db:
            citizen = citizen_by_national_id(db, national_id)
            holder = redeem_desk_code(get_store(current_app), key=get_secrets(current_app).key("registrar-desk"),
                                      citizen_id=citizen.id, office=" ".join(service_point.split()),
                                      code=desk_code)
            services.verify_in_person(db, actor=actor, citizen_id=citizen.id, document=document,
                                      holder=holder, now=now)
            click.echo(f"{citizen.full_name}: identity verified in person (level high)")
    except InvalidDocument as exc:
        raise click.ClickException("wrong document fields: " + ", ".join(exc.errors)) from None
    except RegistrarError as exc:
        raise click.ClickException(str(exc)) from None


@registrar_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include revoked registrars.")
def list_registrars(show_all: bool) -> None:
    """Registrars, by service point."""
    from flask import current_app

    from idp.registrar import services
    from infra.db import get_db

    with get_db(current_app).read() as db:
        echo_roles(services.registrars(db, include_revoked=show_all), none="no registrars",
                   place=lambda role: role.service_point)

