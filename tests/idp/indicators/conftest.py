from tests.idp.documents.conftest import docs_app, web  # noqa: F401 - fixtures
from tests.signing.conftest import pki_app, pki_rows  # noqa: F401 - fixtures
