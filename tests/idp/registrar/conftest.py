from tests.idp.assurance.conftest import metadata, oidc_app, pki, register  # noqa: F401
