"""A code issued at level high with a passkey whose model the FIDO metadata reports compromised
only after the code was issued (the code in flight) must not be exchanged at high: the metadata
update is a file each process picks up (`idp.assurance.mds.MetadataService`), in no database
transaction, so no lowering mark can be left for it; the exchange re-judges the passkey's model
(`idp.assurance.held_level.refused_code`), as a refresh does.

Before: the code was exchanged at level high (a grant and a refresh token at high), although
the passkey now signs in at low; only its refresh was refused."""
# ruff: noqa: F811 - fixtures imported from the assurance and OIDC tests are parameters here

from __future__ import annotations

from tests.idp.assurance.conftest import (  # noqa: F401 - fixtures
    enrol_at_level_high,
    metadata,
    pki,
)
from tests.idp.assurance.test_reported_model_adds_passkey import _report_model
from tests.idp.conftest import dui
from tests.idp.oidc.conftest import (  # noqa: F401 - fixtures
    claims_of,
    exchange,
    get_code,
    oidc_app,
    register,
)
from tests.idp.webauthn.test_impostor5_reported_passkey_grants import AGENCY, HIGH, SCOPE
from tests.idp.webauthn.test_impostor6_reported_passkey_refresh import REPORTED


def test_a_code_issued_at_high_before_the_report_is_refused(client, fresh_app, pki, metadata, register):
    enrol_at_level_high(client, fresh_app, pki, metadata, dui(4892614))
    agency = register(**AGENCY)
    code, flow = get_code(client, agency, scope=SCOPE, acr_values=HIGH)

    _report_model(metadata, pki)  # the code is in flight; nobody signs in

    refused = exchange(client, agency, code, flow)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json() == {"error": "invalid_grant", "error_description": REPORTED}


def test_a_code_issued_at_high_is_exchanged_when_nothing_is_reported(client, fresh_app, pki, metadata, register):
    enrol_at_level_high(client, fresh_app, pki, metadata, dui(4892615))
    agency = register(**AGENCY)
    code, flow = get_code(client, agency, scope=SCOPE, acr_values=HIGH)

    body = exchange(client, agency, code, flow)
    assert body.status_code == 200, body.get_json()
    assert claims_of(body.get_json()["id_token"])["acr"] == HIGH
