"""`cedula demo`: the provider and two demo agency portals, as a new user sees them in `make run`.

The portals are separate processes that know the provider only through its public OIDC
interface. Their credentials are made anew at every start and handed over in the process
environment: the civil registry's private key and the tax agency's client secret are never
written to disk.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from joserfc.jwk import ECKey

from clients.registry.services import find_client, rotate_secret, upsert_operator_client
from infra.config import Settings, get_settings
from infra.db import get_db


@dataclass(frozen=True)
class DemoPortal:
    client_id: str
    name: str
    port: int
    theme: str
    purpose: str
    env: dict[str, str]

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.port}"


def _portal_metadata(name: str, base_url: str, purpose: str, **extra: Any) -> dict[str, Any]:
    return {
        "client_name": name,
        "redirect_uris": [f"{base_url}/callback"],
        "post_logout_redirect_uris": [f"{base_url}/"],
        "backchannel_logout_uri": f"{base_url}/backchannel-logout",
        "backchannel_logout_session_required": True,
        "scope": "openid profile email",
        "purpose": purpose,
        **extra,
    }


def register_demo_clients(app: Flask) -> list[DemoPortal]:
    """Register (or refresh) both demo agencies; returns how to start their portals."""
    settings: Settings = get_settings(app)
    demo = settings["demo"]
    registry_url = f"http://localhost:{int(demo['registry_port'])}"
    tax_url = f"http://localhost:{int(demo['tax_port'])}"
    key = ECKey.generate_key("P-256", parameters={"kid": f"demo-{int(time.time())}", "use": "sig",
                                                  "alg": "ES256"}, private=True)
    registry_purpose = "Emitir y consultar tus partidas y certificados del registro civil"
    tax_purpose = "Identificarte para tus declaraciones y devoluciones de impuestos"
    with app.app_context(), get_db(app).transaction() as session:
        upsert_operator_client(session, client_id="registro-civil", metadata=_portal_metadata(
            "Registro Civil", registry_url, registry_purpose,
            scope="openid profile email documents:issue",
            grant_types=["authorization_code", "refresh_token", "client_credentials"],
            token_endpoint_auth_method="private_key_jwt",
            token_endpoint_auth_signing_alg="ES256",
            jwks={"keys": [key.as_dict(private=False)]},
            # The portal is a FAPI 2.0 client (PAR, DPoP, private_key_jwt: clients/portal/fapi.py);
            # the profile itself needs https redirect URIs, which a laptop demo has not: the
            # operator's exception, with PAR and DPoP still required.
            security_profile="oidc", require_pushed_authorization_requests=True,
            dpop_bound_access_tokens=True))
        upsert_operator_client(session, client_id="hacienda", metadata=_portal_metadata(
            "Ministerio de Hacienda", tax_url, tax_purpose,
            token_endpoint_auth_method="client_secret_basic"))
        secret = rotate_secret(session, find_client(session, "hacienda"))
    _ensure_seal(app, client_id="registro-civil", name="Registro Civil")
    common = {"PORTAL_ISSUER": settings.issuer, "PORTAL_SCOPES": "openid profile email"}
    return [
        DemoPortal("registro-civil", "Registro Civil", int(demo["registry_port"]), "registry",
                   registry_purpose, {**common, "PORTAL_PRIVATE_JWK": json.dumps(key.as_dict(private=True)),
                                      "PORTAL_ISSUE_DOCUMENTS": "1", "PORTAL_FAPI": "1"}),
        DemoPortal("hacienda", "Ministerio de Hacienda", int(demo["tax_port"]), "tax", tax_purpose,
                   {**common, "PORTAL_CLIENT_SECRET": secret}),
    ]


def _ensure_seal(app: Flask, *, client_id: str, name: str) -> None:
    """The civil registry seals the birth certificates it issues: give it a seal certificate."""
    import keys

    service = keys.get_service(app)
    if not service.pki.initialised():
        print("note: the PKI is not initialised (cedula pki init); documents cannot be sealed", flush=True)
        return
    try:
        service.pki.current_seal(client_id=client_id, now=service.now())
    except keys.KeyNotFound:
        keys.issue_seal_certificate(app, client_id=client_id, organization_name=name,
                                    organization_identifier=f"VATSV-{client_id}")


def _demo_register(app: Flask) -> bool:
    """Import the sample civil register; True when its outbox page can be shown (e-mail goes
    to the outbox, the register is the imported one)."""
    from idp.civil_register.demo import load_demo_register
    from infra.notify import notify_settings

    settings: Settings = get_settings(app)
    if str(settings["assurance"].get("registry") or "") != "imported":
        return False
    with app.app_context():
        result = load_demo_register(app)
    print(f"demo civil register: {result.rows} people ({result.inserted} new)", flush=True)
    return notify_settings(app).email == "outbox"


def _portal_process(portal: DemoPortal) -> subprocess.Popen:
    env = {**os.environ, **portal.env, "PORTAL_NAME": portal.name, "PORTAL_BASE_URL": portal.base_url,
           "PORTAL_CLIENT_ID": portal.client_id, "PORTAL_THEME": portal.theme,
           "PORTAL_PURPOSE": portal.purpose}
    return subprocess.Popen([sys.executable, "-m", "clients.portal"], env=env)


def run_demo(app: Flask, *, host: str, port: int) -> None:
    """Start the provider and both portals; stop all three on Ctrl-C or when one exits."""
    settings: Settings = get_settings(app)
    if urlsplit(settings.issuer).hostname not in ("localhost", "127.0.0.1"):
        raise RuntimeError("cedula demo runs on this machine only; CEDULA_ISSUER must be a localhost URL")
    portals = register_demo_clients(app)
    outbox_page = _demo_register(app)
    provider_env = {**os.environ, "CEDULA_DEMO_OUTBOX_PAGE": "true"} if outbox_page else None
    processes = [subprocess.Popen([sys.executable, "-m", "idp.cli", "serve", "--host", host,
                                   "--port", str(port)], env=provider_env)]
    processes += [_portal_process(p) for p in portals]
    print("\nCédula is running:", flush=True)
    print(f"  {'identity provider':<31} {settings.issuer}", flush=True)
    for portal in portals:
        print(f"  {portal.name + ' (demo)':<31} {portal.base_url}", flush=True)
    if outbox_page:
        print(f"  {'messages to the demo register':<31} {settings.issuer}/demo/outbox", flush=True)
    print("Press Ctrl-C to stop.\n", flush=True)

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
