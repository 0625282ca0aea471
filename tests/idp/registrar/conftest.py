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
