from tests.idp.assurance.conftest import metadata, oidc_app, pki, register  # noqa: F401
from tests.idp.registrar.test_registrar import registrar  # noqa: F401 - shared with test_assisted_enrolment
