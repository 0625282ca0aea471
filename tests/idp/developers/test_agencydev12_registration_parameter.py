"""An authorization request carrying `registration` is refused with registration_not_supported
(OIDC Core 3.1.2.6; the parameter is Self-Issued OpenID Provider registration, OIDC Core 7.2.1),
sent back to the redirect URI with `state` and `iss`, with a sentence saying what to do
(review, agencydev12). Before, the parameter was silently ignored: a client that relied on the
metadata it carried got a code as if it had been accepted. At /par the same refusal is a 400."""

from __future__ import annotations

import json

from tests.idp.oidc.conftest import (  # noqa: F401 - the fixtures
    Flow,
    authorize_url,
    citizen,
    get_code,
    oidc_app,
    redirect_params,
    register,
)
from tests.idp.oidc.test_par import push

REGISTRATION = json.dumps({"redirect_uris": ["https://elsewhere.example/cb"], "logo_uri": "https://x.example/l.png"})


def test_the_registration_parameter_is_not_supported(client, register, citizen):  # noqa: F811
    agency = register()
    flow = Flow()
    answer = redirect_params(client.get(authorize_url(agency, flow, registration=REGISTRATION)), agency)
    assert answer["error"] == "registration_not_supported", answer
    assert answer["state"] == flow.state and answer["iss"] == "http://localhost"
    assert "code" not in answer
    assert "registration" in answer["error_description"] and "register" in answer["error_description"], answer
    # The browser and the agency go on: the same request without it is answered.
    assert get_code(client, agency, flow)[0]


def test_a_pushed_request_with_registration_is_refused(client, register):  # noqa: F811
    agency = register()
    refused = push(client, agency, Flow(), registration=REGISTRATION)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "registration_not_supported", refused.get_json()
