"""Fixtures for `keys`: a SoftHSM2 token made once per session, and initialised services."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.parts import missing, require_executable

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "cedula-test"
TOKEN_PIN = "4321"


@dataclass(frozen=True)
class Token:
    module: str
    label: str
    pin: str
    conf: str  # SOFTHSM2_CONF for subprocesses


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory) -> Token:
    """A fresh SoftHSM2 token in a temp dir (SOFTHSM2_CONF set before the module loads)."""
    util = require_executable("softhsm2-util", "apt-get install softhsm2")
    if not Path(SOFTHSM_MODULE).exists():
        missing(f"{SOFTHSM_MODULE} is missing (apt-get install softhsm2)")
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run([util, "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", TOKEN_PIN,
                    "--so-pin", "87654321"], check=True, capture_output=True, timeout=300)
    return Token(SOFTHSM_MODULE, TOKEN_LABEL, TOKEN_PIN, str(conf))


@pytest.fixture
def service(fresh_app):
    """The app's KeyService with signing keys and a PKI, on empty tables."""
    from keys import get_service

    svc = get_service(fresh_app)
    svc.invalidate()
    svc.custody.initialise()
    svc.keyring.bootstrap(svc.now())
    svc.pki.init(svc.now())
    original = svc.clock
    yield svc
    svc.clock = original  # tests may move time
    svc.invalidate()


@pytest.fixture
def pki_client(service, fresh_app):
    return fresh_app.test_client()
