"""Metadata a wallet reads before anything else: the Credential Issuer Metadata (OpenID4VCI
1.0, section 12.2), the metadata of the authorization server of the pre-authorized code grant
(RFC 8414 with OpenID4VCI section 12.3), and the type metadata of each `vct`.
"""

from __future__ import annotations

from typing import Any

from idp.oidc.dpop import ALGS
from idp.wallet import credential, sd_jwt_vc
from idp.wallet.offer import PRE_AUTHORIZED
from idp.wallet.settings import WalletSettings
from signing.templates import catalogue

SCOPES = {"birth": "birth_certificate", "residence": "residence_certificate"}


def scope(template: str) -> str:
    return SCOPES.get(template, f"{template}_certificate")


def configurations(settings: WalletSettings, *, signing_alg: str) -> dict[str, Any]:
    """`credential_configurations_supported`: one SD-JWT VC per document template."""
    found: dict[str, Any] = {}
    for name, template in catalogue().items():
        metadata = sd_jwt_vc.type_metadata(settings.issuer, name, template.schema)
        found[sd_jwt_vc.configuration_id(name)] = {
            "format": sd_jwt_vc.FORMAT,
            "scope": scope(name),
            "vct": metadata["vct"],
            "cryptographic_binding_methods_supported": ["jwk"],
            "credential_signing_alg_values_supported": [signing_alg],
            "proof_types_supported": {"jwt": {
                "proof_signing_alg_values_supported": list(credential.PROOF_ALGORITHMS)}},
            "credential_metadata": {
                "display": [{"name": d["name"], "locale": d["locale"]} for d in metadata["display"]],
                "claims": [{"path": c["path"], "display": [
                    {"name": d["label"], "locale": d["locale"]} for d in c["display"]]}
                    for c in metadata["claims"]],
            },
        }
    return found


def issuer_metadata(settings: WalletSettings, *, signing_alg: str) -> dict[str, Any]:
    base = settings.issuer
    return {
        "credential_issuer": settings.credential_issuer,
        "authorization_servers": [settings.authorization_server],
        "credential_endpoint": f"{base}/wallet/credential",
        "nonce_endpoint": f"{base}/wallet/nonce",
        "notification_endpoint": f"{base}/wallet/notification",
        "batch_credential_issuance": {"batch_size": credential.MAX_PROOFS},
        "display": [{"name": "Cédula", "locale": "es"}, {"name": "Cédula", "locale": "en"}],
        "credential_configurations_supported": configurations(settings, signing_alg=signing_alg),
    }


def scope_configurations() -> dict[str, str]:
    """scope -> credential configuration id, for the authorization endpoint."""
    return {scope(name): sd_jwt_vc.configuration_id(name) for name in catalogue()}


def authorization_server_metadata(settings: WalletSettings) -> dict[str, Any]:
    """RFC 8414 section 2 for the wallet's authorization server: the authorization code grant
    for registered public clients with PKCE S256, and the pre-authorized code grant (no client
    needed: `pre-authorized_grant_anonymous_access_supported`, OpenID4VCI section 12.3)."""
    return {
        "issuer": settings.authorization_server,
        "authorization_endpoint": f"{settings.issuer}/wallet/authorize",
        "token_endpoint": f"{settings.issuer}/wallet/token",
        "grant_types_supported": ["authorization_code", PRE_AUTHORIZED],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "authorization_details_types_supported": ["openid_credential"],
        "dpop_signing_alg_values_supported": list(ALGS),
        "scopes_supported": sorted(scope(name) for name in catalogue()),
    }
