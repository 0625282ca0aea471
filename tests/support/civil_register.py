"""The civil register as the tests set it up."""

from __future__ import annotations


def in_register(app, citizen_id) -> None:
    """The civil register holds the account's own names and date of birth for its national ID:
    the person at the desk is who the register says (the desk raises to level high, or recovers,
    only such an account: idp.registrar.views._document_action)."""
    import uuid
    from datetime import UTC, datetime

    from idp.citizens.models import Citizen
    from idp.citizens.national_id import load_scheme
    from idp.civil_register.imported import import_csv
    from infra.db import get_db

    with get_db(app).transaction() as session:
        citizen = session.get(Citizen, uuid.UUID(str(citizen_id)))
        row = f"{citizen.national_id},{citizen.given_name},{citizen.family_name},{citizen.birthdate.isoformat()}"
        import_csv(session, data=f"national_id,given_name,family_name,birthdate\n{row}\n".encode(),
                   scheme=load_scheme(citizen.national_id_scheme), now=datetime.now(UTC))
