"""`cedula operators grant/revoke/list`: the operator role (the console at /operator)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from idp.citizens.models import Citizen


@click.group("operators", cls=AppGroup)
def operators_group() -> None:
    """Operators: who may use the operator console (/operator), signed in at level high."""


def _run(national_id: str, action: str) -> None:
    from idp.operator import services
    from idp.operator.errors import OperatorError
    from idp.registrar.cli import change_role, shell_user
    from idp.registrar.services import Actor

    by = Actor.operator(shell_user())

    def act(db: Session, citizen: Citizen) -> str:
        if action == "grant":
            services.grant(db, citizen=citizen, by=by, now=datetime.now(UTC))
            return f"{citizen.full_name} is an operator (the console needs a sign-in at level high)"
        services.revoke(db, citizen=citizen, by=by, now=datetime.now(UTC))
        return f"{citizen.full_name} is no longer an operator"

    change_role(national_id, act, refused=OperatorError)


@operators_group.command("grant")
@click.argument("national_id")
def grant(national_id: str) -> None:
    """Make the citizen NATIONAL_ID an operator. The console asks for level high: identity
    proofed in person and a device-bound passkey with trusted attestation."""
    _run(national_id, "grant")


@operators_group.command("revoke")
@click.argument("national_id")
def revoke(national_id: str) -> None:
    """Take the operator role away from the citizen NATIONAL_ID."""
    _run(national_id, "revoke")


NONE = ("no operators: make one with `cedula operators grant NATIONAL_ID` (an enrolled citizen; "
        "the console asks them for level high)")


@operators_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include revoked operators.")
def list_operators(show_all: bool) -> None:
    """Operators, by name."""
    from flask import current_app

    from idp.operator import services
    from idp.registrar.cli import echo_roles
    from infra.db import get_db

    with get_db(current_app).read() as db:
        echo_roles(services.operators(db, include_revoked=show_all), none=NONE)
