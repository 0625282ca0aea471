"""Levels of assurance: identity proofing x authenticator -> level; FIDO metadata (MDS3) and
the attestation policy that decides which passkeys can reach high.

Others may import: `levels` (LEVELS, rank, sign_in_level, authenticator_level), `amr`
(RFC 8176 values), `services` (assess, proofing_of, raise_proofing, qualifying_passkeys,
reachable), `metadata(app)` (the MetadataService) and the error family `errors.AssuranceError`.
"""

from __future__ import annotations

from flask import Flask

from idp.assurance.mds import MetadataService
from idp.assurance.policy import MetadataAttestationPolicy
from idp.assurance.settings import ASSURANCE, AssuranceSettings, assurance_settings, load
from idp.webauthn.attestation import ATTESTATION_POLICY
from infra.components import Slot
from infra.config import get_settings

__all__ = ["AssuranceSettings", "assurance_settings", "init_app", "metadata", "metadata_service"]


def metadata_service(settings: AssuranceSettings) -> MetadataService:
    return MetadataService(source=settings.mds_source, cache=settings.mds_cache,
                           root_pem=settings.mds_root_pem, timeout=settings.mds_timeout_seconds,
                           retry_seconds=settings.mds_retry_seconds)


METADATA: Slot[MetadataService] = Slot("FIDO metadata service")


def metadata(app: Flask | None = None) -> MetadataService:
    return METADATA.of(app)


def init_app(app: Flask) -> None:
    """Before `idp.webauthn`: installs the metadata-backed attestation policy it is built with."""
    from idp.assurance.reclaim_views import bp as reclaim_bp
    from idp.assurance.views import bp

    settings = ASSURANCE.install(app, load(get_settings(app)))
    service = METADATA.install(app, metadata_service(settings))
    ATTESTATION_POLICY.install(app, MetadataAttestationPolicy(
        metadata=service, attestation=settings.attestation,
        refuse_untrusted=settings.untrusted_attestation == "refuse"))
    app.register_blueprint(bp)
    app.register_blueprint(reclaim_bp)
