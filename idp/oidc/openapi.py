"""OpenAPI 3.1 descriptions of the provider's JSON endpoints (added to /openapi.json)."""

from __future__ import annotations

from idp.oidc import dpop
from infra.openapi import OUTAGE, RETRY_AFTER
from infra.web.cors import BROWSER_CLIENT_HEADERS, BROWSER_CLIENT_METHODS, PREFLIGHT_SECONDS

_FORM = "application/x-www-form-urlencoded"
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_CLIENT_AUTH: list[dict[str, list[str]]] = [{"clientSecretBasic": []}, {}]
# [oidc] client_auth_failures failed client authentications for one client from one address in
# client_auth_window_seconds: that address waits (idp.oidc.throttle), at every endpoint that
# authenticates clients.
_THROTTLED = {"description": "invalid_client: too many failed client authentications for this client "
                             "from this address; retry after Retry-After seconds",
              "headers": RETRY_AFTER,
              "content": _ERROR}


def _form(properties: dict, required: list[str]) -> dict:
    return {"required": True, "content": {_FORM: {"schema": {
        "type": "object", "properties": properties, "required": required}}}}


# RFC 9449: the proof a request carries, and the nonce the server sends for the next one
# (oidc.dpop_require_nonce; idp.oidc.protected.nonce_headers).
_DPOP_PROOF = {"name": "DPoP", "in": "header", "required": False, "schema": {"type": "string"},
               "description": "RFC 9449 proof (a JWT, typ dpop+jwt) for this request"}
_DPOP_NONCE = {"schema": {"type": "string"},
               "description": "RFC 9449 section 8: the nonce the next DPoP proof must carry (when "
                              "oidc.dpop_require_nonce is on): sent with use_dpop_nonce and to a request "
                              "that carried a proof"}


def _challenged(description: str) -> dict:
    """A refusal of a protected resource (idp.oidc.protected.challenge_headers)."""
    return {"description": description, "content": _ERROR, "headers": {
        "WWW-Authenticate": {"required": True, "schema": {"type": "string"}, "description": (
            "RFC 6750 section 3 and RFC 9449 section 7.1: a Bearer and a DPoP challenge, "
            'e.g. DPoP realm="cedula", error="invalid_dpop_proof", error_description="...", '
            f'algs="{" ".join(dpop.ALGS)}", Bearer realm="cedula"; the error goes in the DPoP challenge when the '
            "request used the DPoP scheme or its proof failed, in the Bearer one otherwise; none when no "
            "token was sent")},
        "DPoP-Nonce": _DPOP_NONCE}}


def protected_resource(paths: dict) -> dict:
    """`paths` as a protected resource answers (`idp.oidc.protected`): each operation that takes
    a token (has `security`) takes it as Bearer or DPoP-bound with its `DPoP` proof (RFC 9449
    section 7), its 401 refusals carry the challenges and the nonce (`_challenged`), and so does
    its 403 for insufficient_scope (not its other 403s: consent_required, invalid_origin); every
    other answer to a request with a proof carries the nonce (`protected.offer_nonce`)."""
    challenged = _challenged("")["headers"]
    headers = {"401": challenged, "403": {name: {**header, "required": False}
                                          for name, header in challenged.items()}}
    nonce = {"DPoP-Nonce": _DPOP_NONCE}

    def operation(described: dict) -> dict:
        if "security" not in described:
            return described
        parameters = described.get("parameters", [])
        if not any(parameter.get("name") == "DPoP" for parameter in parameters):
            parameters = [*parameters, _DPOP_PROOF]
        responses = {status: {**answer, "headers": {**answer.get("headers", {}), **headers.get(status, nonce)}}
                     for status, answer in described["responses"].items()}
        return {**described, "security": [{"bearer": []}, {"dpop": []}], "parameters": parameters,
                "responses": responses}

    return {path: {method: operation(described) for method, described in operations.items()}
            for path, operations in paths.items()}


# /userinfo (idp.oidc.endpoints.userinfo_answer): every refusal carries its challenges.
_USERINFO_ANSWERS = {
    "200": {"description": "claims", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/UserInfo"}}}, "headers": {"DPoP-Nonce": _DPOP_NONCE}},
    "400": _challenged("invalid_request: the token sent twice (header and body)"),
    "401": _challenged("no token (a challenge without error), invalid_token (invalid, expired or revoked; "
                       "a DPoP-bound token sent as Bearer), invalid_dpop_proof, use_dpop_nonce, "
                       "insufficient_user_authentication (RFC 9470)"),
    "403": _challenged("insufficient_scope"),
    "503": OUTAGE,
}

_CLIENT_FIELDS = {
    "client_id": {"type": "string"},
    "client_secret": {"type": "string", "description": "client_secret_post only"},
    "client_assertion_type": {"type": "string",
                              "const": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
    "client_assertion": {"type": "string", "description": "private_key_jwt (RFC 7523)"},
}

_PREFLIGHT_ASKED = [
    {"name": "Origin", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "the origin of the page that calls (set by the browser)"},
    {"name": "Access-Control-Request-Method", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "the method the page is about to use (set by the browser)"},
    {"name": "Access-Control-Request-Headers", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "the headers the page is about to send (set by the browser)"},
]


def _header(description: str) -> dict:
    return {"schema": {"type": "string"}, "description": description}


def _browser_client_preflight(path: str) -> dict:
    """OPTIONS of /token, /par and /revoke (`idp.oidc.browser_clients`, `infra.web.cors.preflight`)."""
    allowed = {
        "Allow": _header("POST, OPTIONS"),
        "Vary": _header("Origin, on every answer to a preflight"),
        "Access-Control-Allow-Origin": _header("the Origin asked for, only when it is the origin of a redirect "
                                               "URI of a public client (token_endpoint_auth_method none)"),
        "Access-Control-Allow-Methods": _header(f"{BROWSER_CLIENT_METHODS}, with Access-Control-Allow-Origin"),
        "Access-Control-Allow-Headers": _header(f"{BROWSER_CLIENT_HEADERS}, with Access-Control-Allow-Origin"),
        "Access-Control-Max-Age": _header(f"{PREFLIGHT_SECONDS} seconds, with Access-Control-Allow-Origin"),
    }
    return {
        "summary": f"CORS preflight of {path} (Fetch standard) for a single-page app, a public client: "
                   f"allowed only from the origin of one of a public client's redirect URIs, never `*`; any "
                   f"other origin gets no Access-Control-Allow-Origin and the browser stops there",
        "parameters": _PREFLIGHT_ASKED,
        "responses": {
            "204": {"description": "a preflight (Access-Control-Request-Method sent): allowed for the "
                                   "Origin when Access-Control-Allow-Origin is present", "headers": allowed},
            "200": {"description": "a plain OPTIONS (no Origin or no Access-Control-Request-Method): the "
                                   "methods only", "headers": {"Allow": _header("POST, OPTIONS")}},
        },
    }


PATHS = {
    "/token": {"options": _browser_client_preflight("/token"), "post": {
        "summary": "Token endpoint (RFC 6749 section 3.2): authorization_code with PKCE, refresh_token, "
                   "client_credentials (an agency's own token for the documents API)",
        "security": _CLIENT_AUTH,
        "requestBody": _form({
            "grant_type": {"type": "string", "enum": ["authorization_code", "refresh_token", "client_credentials"]},
            "code": {"type": "string"}, "redirect_uri": {"type": "string"},
            "code_verifier": {"type": "string", "minLength": 43, "maxLength": 128},
            "refresh_token": {"type": "string"}, "scope": {"type": "string"},
            "resource": {"type": "string", "format": "uri",
                         "description": "RFC 8707: an API registered with `cedula resources register`"},
            **_CLIENT_FIELDS,
        }, ["grant_type"]),
        "parameters": [{**_DPOP_PROOF, "description": "RFC 9449 proof: binds the access token (token_type DPoP)"}],
        "responses": {
            "200": {"description": "tokens", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/TokenResponse"}}}, "headers": {"DPoP-Nonce": _DPOP_NONCE}},
            "400": {"description": "invalid_request, invalid_grant, invalid_scope, unauthorized_client, "
                                   "unsupported_grant_type, invalid_target, invalid_dpop_proof, use_dpop_nonce",
                    "content": _ERROR, "headers": {"DPoP-Nonce": _DPOP_NONCE}},
            "401": {"description": "invalid_client", "content": _ERROR},
            "429": _THROTTLED, "503": OUTAGE,
        },
    }},
    "/userinfo": {
        "options": {
            "summary": "CORS preflight of /userinfo (Fetch standard): every origin may send the token in "
                       "Authorization (and a DPoP proof) from a page; no cookie is read",
            "parameters": _PREFLIGHT_ASKED,
            "responses": {"204": {"description": "allowed for every origin", "headers": {
                "Allow": _header("GET, POST, OPTIONS"), "Access-Control-Allow-Origin": _header("*"),
                "Access-Control-Allow-Methods": _header("GET, POST"),
                "Access-Control-Allow-Headers": _header("Authorization, DPoP"),
                "Access-Control-Max-Age": _header("600 seconds")}}},
        },
        "get": {"summary": "UserInfo (OIDC Core 5.3): claims about the citizen",
                "security": [{"bearer": []}, {"dpop": []}], "parameters": [_DPOP_PROOF],
                "responses": _USERINFO_ANSWERS},
        "post": {"summary": "UserInfo (OIDC Core 5.3), token in the header or the form body (Bearer only)",
                 "security": [{"bearer": []}, {"dpop": []}], "parameters": [_DPOP_PROOF],
                 "responses": _USERINFO_ANSWERS},
    },
    "/introspect": {"post": {
        "summary": "Token introspection (RFC 7662) of the calling client's own tokens",
        "security": _CLIENT_AUTH,
        "requestBody": _form({"token": {"type": "string"},
                              "token_type_hint": {"type": "string", "enum": ["access_token", "refresh_token"]},
                              **_CLIENT_FIELDS}, ["token"]),
        "parameters": [{"name": "Accept", "in": "header", "required": False,
                        "schema": {"enum": ["application/json", "application/token-introspection+jwt"]},
                        "description": "application/token-introspection+jwt: the answer as a JWT signed "
                                       "by the provider (RFC 9701), its token_introspection claim the "
                                       "JSON answer; JSON otherwise, or when the header prefers JSON "
                                       "(quality values count, RFC 9110 section 12.5.1)"}],
        "responses": {"200": {"description": "active or not", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Introspection"}},
            "application/token-introspection+jwt": {"schema": {
                "type": "string", "description": "a JWS (typ token-introspection+jwt; alg of "
                                                 "introspection_signing_alg_values_supported)"}}}},
            "400": {"description": "invalid_request", "content": _ERROR},
            "401": {"description": "invalid_client", "content": _ERROR}, "429": _THROTTLED, "503": OUTAGE},
    }},
    "/revoke": {"options": _browser_client_preflight("/revoke"), "post": {
        "summary": "Token revocation (RFC 7009); a refresh token revokes its whole grant",
        "security": _CLIENT_AUTH,
        "requestBody": _form({"token": {"type": "string"},
                              "token_type_hint": {"type": "string", "enum": ["access_token", "refresh_token"]},
                              **_CLIENT_FIELDS}, ["token"]),
        "responses": {"200": {"description": "revoked (or unknown: the same answer)"},
                      "400": {"description": "invalid_request", "content": _ERROR},
                      "401": {"description": "invalid_client", "content": _ERROR}, "429": _THROTTLED, "503": OUTAGE},
    }},
    "/par": {"options": _browser_client_preflight("/par"), "post": {
        "summary": "Pushed authorization request (RFC 9126): the request (or a signed request object, "
                   "RFC 9101) for a request_uri, single use, 60 s; an optional DPoP proof binds the code",
        "security": _CLIENT_AUTH,
        "requestBody": _form({"response_type": {"const": "code"}, "redirect_uri": {"type": "string"},
                              "scope": {"type": "string"}, "state": {"type": "string"},
                              "nonce": {"type": "string"},
                              "code_challenge": {"type": "string"}, "code_challenge_method": {"const": "S256"},
                              "prompt": {"type": "string", "description": "space-separated: none, login, "
                                                                          "consent, select_account"},
                              "max_age": {"type": "integer", "minimum": 0},
                              "login_hint": {"type": "string"}, "id_token_hint": {"type": "string"},
                              "acr_values": {"type": "string"},
                              "claims": {"type": "string", "description": "OIDC Core 5.5, a JSON object"},
                              "response_mode": {"enum": ["query", "query.jwt", "jwt"]},
                              "resource": {"type": "string", "format": "uri", "description": "RFC 8707"},
                              "ui_locales": {"type": "string"},
                              "request": {"type": "string", "description": "signed request object (JAR)"},
                              "dpop_jkt": {"type": "string"}, **_CLIENT_FIELDS}, []),
        "parameters": [{**_DPOP_PROOF, "description": "RFC 9449 proof: binds the authorization code "
                                                      "(section 10.1), as dpop_jkt does"}],
        "responses": {"201": {"description": "request_uri and expires_in", "content": {"application/json": {
            "schema": {"type": "object", "required": ["request_uri", "expires_in"],
                       "properties": {"request_uri": {"type": "string"}, "expires_in": {"type": "integer"}}}}}},
            "400": {"description": "invalid_request, invalid_request_object, invalid_scope, invalid_dpop_proof, "
                                   "use_dpop_nonce", "content": _ERROR, "headers": {"DPoP-Nonce": _DPOP_NONCE}},
            "401": {"description": "invalid_client", "content": _ERROR}, "429": _THROTTLED, "503": OUTAGE},
    }},
    "/.well-known/oauth-authorization-server": {"get": {
        "summary": "Authorization server metadata (RFC 8414), the same document as OpenID discovery",
        "responses": {"200": {"description": "metadata", "content": {"application/json": {
            "schema": {"type": "object"}}}}},
    }},
    "/.well-known/openid-configuration": {"get": {
        "summary": "Provider metadata (OpenID Connect Discovery 1.0)",
        "responses": {"200": {"description": "metadata", "content": {"application/json": {
            "schema": {"type": "object"}}}}},
    }},
}

SCHEMAS = {
    "TokenResponse": {"type": "object", "required": ["access_token", "token_type", "expires_in"],
                      "properties": {"access_token": {"type": "string", "description": "RFC 9068 JWT"},
                                     "token_type": {"enum": ["Bearer", "DPoP"]},
                                     "expires_in": {"type": "integer"}, "scope": {"type": "string"},
                                     "id_token": {"type": "string", "description": "authorization_code and "
                                                  "refresh_token grants; never for client_credentials"},
                                     "refresh_token": {"type": "string"}}},
    "UserInfo": {"type": "object", "required": ["sub"],
                 "properties": {"sub": {"type": "string"}, "given_name": {"type": "string"},
                                "family_name": {"type": "string"},
                                "birthdate": {"type": "string", "format": "date"},
                                "email": {"type": "string"}, "email_verified": {"type": "boolean"},
                                "national_id": {"type": "string"}}},
    # RFC 7662 section 2.2: what idp.oidc.introspection answers for an active token ({"active":
    # false} alone otherwise); RFC 9449 section 6.2 for a DPoP-bound one.
    "Introspection": {"type": "object", "required": ["active"],
                      "properties": {"active": {"type": "boolean"}, "scope": {"type": "string"},
                                     "client_id": {"type": "string"}, "sub": {"type": "string"},
                                     "exp": {"type": "integer"}, "iat": {"type": "integer"},
                                     "iss": {"type": "string"},
                                     "token_type": {"enum": ["Bearer", "DPoP", "refresh_token"],
                                                    "description": "DPoP for a DPoP-bound access token; "
                                                    "refresh_token for a refresh token"},
                                     "aud": {"oneOf": [{"type": "string"},
                                                       {"type": "array", "items": {"type": "string"}}],
                                             "description": "access tokens: the API (resource) the "
                                             "token is for; check it is yours"},
                                     "jti": {"type": "string", "description": "access tokens"},
                                     "auth_time": {"type": "integer",
                                                   "description": "a citizen's access token: when they signed in"},
                                     "acr": {"type": "string", "description": "a citizen's access token: "
                                             "the level of assurance of the sign-in"},
                                     "cnf": {"type": "object", "required": ["jkt"],
                                             "properties": {"jkt": {"type": "string"}},
                                             "description": "a DPoP-bound access token: the SHA-256 "
                                             "thumbprint of its key (RFC 9449 section 6.2)"}}},
}
