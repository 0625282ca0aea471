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


def _portal_metadata(name: str, base_url: str, purpose: str, purpose_en: str, **extra: Any) -> dict[str, Any]:
    return {
        "client_name": name,
        "redirect_uris": [f"{base_url}/callback"],
        "post_logout_redirect_uris": [f"{base_url}/"],
        "backchannel_logout_uri": f"{base_url}/backchannel-logout",
        "backchannel_logout_session_required": True,
        "scope": "openid profile email",
        "purpose": purpose,
        # The purpose in each language of the pages (OIDC Registration section 2.1 language tags).
        "purpose#es": purpose,
        "purpose#en": purpose_en,
        **extra,
    }


def register_demo_clients(app: Flask, *, fapi: bool | None = None) -> list[DemoPortal]:
    """Register (or refresh) both demo agencies; returns how to start their portals.

    `fapi`: register the civil registry as a FAPI 2.0 client on http://localhost, which the
    provider accepts only with oidc.fapi_loopback_redirects (the default: that setting of `app`;
    `cedula demo` turns it on for the provider it starts). Without it, the operator's exception
    (security_profile oidc) with PAR and DPoP still required."""
    settings: Settings = get_settings(app)
    if fapi is None:
        fapi = bool(settings["oidc"].get("fapi_loopback_redirects"))
    demo = settings["demo"]
    registry_url = f"http://localhost:{int(demo['registry_port'])}"
    tax_url = f"http://localhost:{int(demo['tax_port'])}"
    key = ECKey.generate_key("P-256", parameters={"kid": f"demo-{int(time.time())}", "use": "sig",
                                                  "alg": "ES256"}, private=True)
    registry_purpose = "Emitir y consultar sus partidas y certificados del registro civil"
    tax_purpose = "Identificarle para sus declaraciones y devoluciones de impuestos"
    registry_purpose_en = "Issue and look up your civil register records and certificates"
    tax_purpose_en = "Identify you for your tax returns and refunds"
    with app.app_context(), get_db(app).transaction() as session:
        upsert_operator_client(session, client_id="registro-civil", metadata=_portal_metadata(
            "Registro Civil", registry_url, registry_purpose, registry_purpose_en,
            scope="openid profile email documents:issue",
            grant_types=["authorization_code", "refresh_token", "client_credentials"],
            token_endpoint_auth_method="private_key_jwt",
            token_endpoint_auth_signing_alg="ES256",
            jwks={"keys": [key.as_dict(private=False)]},
            # The portal is a FAPI 2.0 client (PAR, DPoP, private_key_jwt: clients/portal/fapi.py).
            # The profile needs https redirect URIs; a laptop demo has http://localhost, which
            # oidc.fapi_loopback_redirects allows there (docs/agencies-fapi.md). Without that
            # setting: the operator's exception, with PAR and DPoP still required.
            security_profile="fapi2" if fapi else "oidc", require_pushed_authorization_requests=True,
            dpop_bound_access_tokens=True), loopback_redirects=fapi)
        upsert_operator_client(session, client_id="hacienda", metadata=_portal_metadata(
            "Ministerio de Hacienda", tax_url, tax_purpose, tax_purpose_en,
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


def _register_imported(app: Flask) -> bool:
    """Whether the civil register is the imported one (the demo loads its sample)."""
    return str(get_settings(app)["assurance"].get("registry") or "") == "imported"


def _outbox_page(app: Flask) -> bool:
    """Whether to serve the sample register's outbox page (e-mail goes to the outbox)."""
    from infra.notify import notify_settings

    return _register_imported(app) and notify_settings(app).email == "outbox"


def _demo_register(app: Flask) -> None:
    """Import the sample civil register (records already there stay)."""
    from idp.civil_register.demo import load_demo_register

    with app.app_context():
        result = load_demo_register(app)
    if result.inserted:  # said once, on the first start
        print(f"demo civil register: {result.rows} people ({result.inserted} new)", flush=True)


def prepare_database(settings: Settings) -> None:
    """What `cedula db upgrade` does, before the app is built: create or migrate the schema
    (a version check when it is current)."""
    from idp.schema import SCHEMA

    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    SCHEMA.upgrade(settings.database_url)


def prepare_keys(app: Flask) -> list[str]:
    """What `cedula keys init` and `cedula pki init` do, in this process (each of those commands
    is a process of its own, building the app again): what was made, empty when all existed."""
    import keys

    made = []
    with app.app_context():
        service = keys.get_service(app)
        store = service.custody.initialise()
        algs = service.keyring.bootstrap(service.now())
        if algs:
            made.append(f"signing keys {', '.join(algs)} ({store.backend} key store)")
        if service.pki.init(service.now()):
            made.append("document PKI (root CA, issuing CA, time stamping, OCSP)")
    return made


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
    made = prepare_keys(app)
    if made:
        print(f"first start: created {'; '.join(made)} under {settings.data_dir}", flush=True)
    # The provider starts first (its start is the longest); the portals need their credentials,
    # made while it starts. It lets the civil registry, a FAPI 2.0 client, come back to
    # http://localhost (refused at start for any issuer off this machine).
    outbox_page = _outbox_page(app)
    if _register_imported(app):  # before the provider starts: it says at start if it is empty
        _demo_register(app)
    provider_env = {**os.environ, "CEDULA_OIDC_FAPI_LOOPBACK_REDIRECTS": "true"}
    if outbox_page:
        provider_env["CEDULA_DEMO_OUTBOX_PAGE"] = "true"
    processes = [subprocess.Popen([sys.executable, "-m", "idp.cli", "serve", "--host", host,
                                   "--port", str(port)], env=provider_env)]
    try:
        portals = register_demo_clients(app, fapi=True)
    except BaseException:
        processes[0].terminate()
        raise
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
