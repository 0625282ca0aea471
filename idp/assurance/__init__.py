"""Levels of assurance: identity proofing x authenticator -> level; FIDO metadata (MDS3) and
the attestation policy that decides which passkeys can reach high.

Others may import: `levels` (LEVELS, rank, sign_in_level, authenticator_level), `amr`
(RFC 8176 values), `services` (assess, proofing_of, raise_proofing, qualifying_passkeys,
reachable), `metadata(app)` (the MetadataService) and the error family `errors.AssuranceError`.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Flask

from idp.assurance.mds import MetadataService
from idp.assurance.policy import MetadataAttestationPolicy
from idp.assurance.settings import AssuranceSettings, load

__all__ = ["AssuranceSettings", "init_app", "metadata", "metadata_service"]


def metadata_service(settings: AssuranceSettings) -> MetadataService:
    return MetadataService(source=settings.mds_source, cache=settings.mds_cache,
                           root_pem=settings.mds_root_pem, timeout=settings.mds_timeout_seconds,
                           retry_seconds=settings.mds_retry_seconds)


def metadata(app: Flask) -> MetadataService:
    return app.extensions["cedula.mds"]


def init_app(app: Flask) -> None:
    """After `idp.webauthn`: the relying party gets the metadata-backed attestation policy."""
    from idp.assurance.views import bp

    settings = load(app.config["CEDULA"])
    service = metadata_service(settings)
    app.extensions["cedula.assurance"] = settings
    app.extensions["cedula.mds"] = service
    policy = MetadataAttestationPolicy(metadata=service, attestation=settings.attestation,
                                       refuse_untrusted=settings.untrusted_attestation == "refuse")
    app.extensions["cedula.webauthn"] = replace(app.extensions["cedula.webauthn"], attestation=policy)
    app.register_blueprint(bp)
