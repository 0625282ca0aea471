from tests.idp.assurance.conftest import metadata, oidc_app, pki, register  # noqa: F401
from tests.idp.registrar.test_registrar import registrar  # noqa: F401 - shared with test_assisted_enrolment


def bind(device, code: str):
    """The citizen enters a binding code at /bind, sees whose account it opens and confirms:
    the answer of the confirmation (303 to /account when bound)."""
    from tests.idp.conftest import csrf

    token = csrf(device, "/bind")
    shown = device.post("/bind", data={"csrf_token": token, "code": code})
    assert shown.status_code == 200 and 'id="bind-confirm-form"' in shown.get_data(as_text=True)
    return device.post("/bind/confirm", data={"csrf_token": token, "code": code})


def desk_recovery_code(registrar_browser, citizen_id: str) -> str:
    """A registrar records an in-person recovery of `citizen_id` (a passport that passed the desk's
    check; the register holds the account's details, `in_register`) and reads the binding code the
    page shows."""
    import re
    from datetime import date, timedelta

    from tests.idp.conftest import csrf
    from tests.support.civil_register import in_register

    in_register(registrar_browser.application, citizen_id)
    page = registrar_browser.post(f"/registrar/citizens/{citizen_id}/recovery", data={
        "csrf_token": csrf(registrar_browser, "/registrar"), "document_type": "passport",
        "document_number": "A1234567", "document_expiry": (date.today() + timedelta(days=365)).isoformat()})
    assert page.status_code == 200
    return re.search(r'id="binding-code">([A-Z0-9-]+)<', page.get_data(as_text=True)).group(1)
