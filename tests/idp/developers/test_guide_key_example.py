"""The guide's section 3 run as written: the openssl commands make the portal's key pair, the
`python -c` line turns its public half into the JWK Set given at registration, and a client
assertion made as the guide describes (ES256; iss and sub the client_id, aud the issuer, a
unique jti, exp at most 300 seconds ahead) signed with the PKCS#8 private key authenticates at
`POST /token`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from idp.developers.views import SOURCE
from infra.config import get_settings
from tests.idp.developers.test_guide_examples import _blocks
from tests.idp.oidc.conftest import REDIRECT

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _run(block: str, where: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=where, env=env, check=True,
                   capture_output=True, timeout=60)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the guide's commands need openssl")
def test_the_guides_key_commands_make_a_key_cedula_accepts(fresh_app, tmp_path):
    assert SOURCE.exists()
    openssl = next(block for block in _blocks("sh") if block.startswith("openssl ecparam"))
    to_jwks = next(block for block in _blocks("sh") if block.startswith("python -c"))
    _run(openssl, tmp_path)
    assert (tmp_path / "registro-private.p8.pem").stat().st_mode & 0o077 == 0  # private: yours only
    _run(to_jwks, tmp_path)
    jwks = json.loads((tmp_path / "registro-public.jwks.json").read_text())
    assert [key["kid"] for key in jwks["keys"]] == ["registro-2026"] and "d" not in jwks["keys"][0]

    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db

    client_id = f"registro-{uuid.uuid4().hex[:8]}"
    metadata = {"client_name": "Registro Civil", "redirect_uris": [REDIRECT], "jwks": jwks,
                "token_endpoint_auth_method": "private_key_jwt", "scope": "openid indicators:read",
                "grant_types": ["authorization_code", "client_credentials"], "security_profile": "oidc"}
    with get_db(fresh_app).transaction() as session:
        register_client(session, metadata=metadata, client_id=client_id,
                        permissions=Permissions(operator=True), fetch_sector=lambda uri: [REDIRECT])

    private = ECKey.import_key((tmp_path / "registro-private.p8.pem").read_text())
    now = int(time.time())
    assertion = jwt.encode({"alg": "ES256", "kid": "registro-2026"},
                           {"iss": client_id, "sub": client_id, "aud": get_settings(fresh_app).issuer,
                            "jti": uuid.uuid4().hex, "iat": now, "exp": now + 300}, private)
    response = fresh_app.test_client().post("/token", data={
        "grant_type": "client_credentials", "scope": "indicators:read",
        "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["scope"] == "indicators:read"
