"""Independent checks with the `openssl` command line against a live `cedula serve`,
with the software key store and with keys in a SoftHSM2 token.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.support.live import serving
from tests.support.parts import require_executable
from tests.support.ports import free_port

pytestmark = pytest.mark.interop
CEDULA = str(Path(sys.executable).with_name("cedula"))


@pytest.fixture(scope="module", params=["software", "pkcs11"])
def server(request, tmp_path_factory):
    openssl = require_executable("openssl", "apt-get install openssl")
    data = tmp_path_factory.mktemp(f"live-{request.param}")
    port = free_port()
    env = {**os.environ, "CEDULA_ISSUER": f"http://127.0.0.1:{port}",
           "CEDULA_DATA_DIR": str(data), "CEDULA_LOGGING_LEVEL": "WARNING",
           "CEDULA_DATABASE_URL": "", "CEDULA_REDIS_URL": ""}
    if request.param == "pkcs11":
        token = request.getfixturevalue("softhsm")
        env.update(CEDULA_KEYSTORE="pkcs11", CEDULA_PKCS11_MODULE=token.module,
                   CEDULA_PKCS11_TOKEN=token.label, CEDULA_PKCS11_PIN=token.pin,
                   SOFTHSM2_CONF=token.conf)

    def cedula(*args: str) -> str:
        done = subprocess.run([CEDULA, *args], env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cedula("db", "upgrade")
    cedula("keys", "init")
    assert "PKI created" in cedula("pki", "init")
    assert "already exists" in cedula("pki", "init")  # idempotent
    (data / "seal.pem").write_text(cedula("pki", "issue-seal", "--client", "hacienda",
                                          "--organization", "Ministerio de Hacienda",
                                          "--organization-id", "VATSV-0614"))
    (data / "root.pem").write_text(cedula("pki", "export-root"))
    base = f"http://127.0.0.1:{port}"
    with serving(env, port, base=base, stop_seconds=10):
        issuing = urllib.request.urlopen(f"{base}/pki/ca/issuing.cer").read()
        (data / "issuing.der").write_bytes(issuing)
        subprocess.run([openssl, "x509", "-inform", "DER", "-in", str(data / "issuing.der"),
                        "-out", str(data / "issuing.pem")], check=True, timeout=300)
        yield {"base": base, "dir": data, "cedula": cedula, "openssl": openssl}


def _run(*args: str, cwd: Path) -> str:
    done = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def _ocsp(server) -> str:
    return _run(server["openssl"], "ocsp", "-issuer", "issuing.pem", "-cert", "seal.pem",
                "-url", f"{server['base']}/pki/ocsp", "-CAfile", "root.pem", cwd=server["dir"])


def test_openssl_verifies_the_seal_chain(server):
    out = _run(server["openssl"], "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem",
               "seal.pem", cwd=server["dir"])
    assert "seal.pem: OK" in out


def test_openssl_time_stamp_query_and_verify(server):
    d, openssl = server["dir"], server["openssl"]
    (d / "data.txt").write_bytes(b"a document")
    _run(openssl, "ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "q.tsq",
         cwd=d)
    request = urllib.request.Request(f"{server['base']}/pki/tsa", data=(d / "q.tsq").read_bytes(),
                                     headers={"Content-Type": "application/timestamp-query"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"] == "application/timestamp-reply"
        (d / "r.tsr").write_bytes(response.read())
    out = _run(openssl, "ts", "-verify", "-in", "r.tsr", "-queryfile", "q.tsq",
               "-CAfile", "root.pem", "-untrusted", "issuing.pem", cwd=d)
    assert "Verification: OK" in out, out
    text = _run(openssl, "ts", "-reply", "-in", "r.tsr", "-text", cwd=d)
    assert "Policy OID: 0.4.0.2023.1.1" in text and "Nonce:" in text


def test_openssl_ocsp_good_then_revoked_and_crl(server):
    out = _ocsp(server)
    assert "Response verify OK" in out and "seal.pem: good" in out, out
    serial = _run(server["openssl"], "x509", "-in", "seal.pem", "-noout", "-serial",
                  cwd=server["dir"]).strip().split("=", 1)[1]
    server["cedula"]("pki", "revoke", serial, "--reason", "keyCompromise")
    out = _ocsp(server)
    assert "seal.pem: revoked" in out and "Reason: keyCompromise" in out, out
    crl = urllib.request.urlopen(f"{server['base']}/pki/crl/issuing.crl").read()
    (server["dir"] / "issuing.crl").write_bytes(crl)
    text = _run(server["openssl"], "crl", "-inform", "DER", "-in", "issuing.crl", "-noout",
                "-text", cwd=server["dir"])
    assert f"Serial Number: {serial}" in text and "Key Compromise" in text, text
    assert "Next Update:" in text
