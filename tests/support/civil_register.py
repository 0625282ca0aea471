"""The civil register as the tests set it up."""

from __future__ import annotations


def register_person(app, *, national_id: str, given_name: str, family_name: str, birthdate: str,
                    scheme: str = "sv-dui") -> None:
    """The civil register (the imported one, `assurance.registry = "imported"`) holds this person."""
    from datetime import UTC, datetime

    from idp.citizens.national_id import load_scheme
    from idp.civil_register.imported import import_csv
    from infra.db import get_db

    text = f"national_id,given_name,family_name,birthdate\n{national_id},{given_name},{family_name},{birthdate}\n"
    with get_db(app).transaction() as session:
        import_csv(session, data=text.encode(), scheme=load_scheme(scheme), now=datetime.now(UTC))


def in_register(app, citizen_id) -> None:
    """The civil register holds the account's own names and date of birth for its national ID:
    the person at the desk is who the register says (the desk raises to level high, or recovers,
    only such an account: idp.registrar.views._document_action)."""
    import uuid

    from idp.citizens.models import Citizen
    from infra.db import get_db

    with get_db(app).read() as session:
        citizen = session.get(Citizen, uuid.UUID(str(citizen_id)))
        person = {"national_id": citizen.national_id, "given_name": citizen.given_name,
                  "family_name": citizen.family_name, "birthdate": citizen.birthdate.isoformat(),
                  "scheme": citizen.national_id_scheme}
    register_person(app, **person)
