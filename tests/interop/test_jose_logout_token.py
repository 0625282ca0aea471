"""Back-channel logout tokens as a portal verifies them with `jose` (npm): signature against
the provider's /jwks.json (ES256 and RS256 clients), `iss`, `aud`, `typ` logout+jwt, the
required claims and the back-channel event (Back-Channel Logout 1.0 section 2.6)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.idp.logout.conftest import agencies, receiver, worker  # noqa: F401 - fixtures
from tests.idp.oidc.conftest import citizen, oidc_app, register, tokens_for  # noqa: F401 - fixtures
from tests.support.live import ROOT
from tests.support.parts import missing, require_executable

SCRIPT = Path(__file__).with_name("jose_logout_token.mjs")


def test_jose_verifies_the_logout_tokens_cedula_delivers(client, citizen, agencies, receiver, worker):  # noqa: F811
    require_executable("node", "install Node.js 20+")
    if not (ROOT / "node_modules" / "jose" / "package.json").exists():
        missing("node_modules/jose is not installed (npm ci)")
    for name in ("a", "b"):
        tokens_for(client, agencies[name])
    html = client.get("/account").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    worker.run_once()
    delivered = [{"token": token, "audience": agencies[name].client_id}
                 for name in ("a", "b") for token in receiver.tokens(name)]
    assert len(delivered) == 2
    verified = subprocess.run(
        ["node", str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
        input=json.dumps({"jwks": client.get("/jwks.json").get_json(), "issuer": "http://localhost",
                          "tokens": delivered}))
    results = json.loads(verified.stdout)
    assert [r.get("verified") for r in results] == [True, True], results
    assert {r["alg"] for r in results} == {"ES256", "RS256"} and all(r["sid"] for r in results)
