// A portal that registers itself with the certified `openid-client` (v6) asking Cédula to take
// only signed request objects (RFC 9101's require_signed_request_object): argv[2] is the issuer,
// argv[3] the registration (JSON: initial access token, private JWK, redirect URI). It prints
// one {"result": ...}: what the registration kept, and a plain and a signed authorization URL.
import * as client from 'openid-client';

const issuer = new URL(process.argv[2]);
const spec = JSON.parse(process.argv[3]);
const key = await crypto.subtle.importKey('jwk', spec.jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const { d, ...publicJwk } = spec.jwk;
const config = await client.dynamicClientRegistration(issuer, {
  client_name: 'Hacienda', redirect_uris: [spec.redirect_uri], token_endpoint_auth_method: 'private_key_jwt',
  jwks: { keys: [publicJwk] }, require_signed_request_object: true, id_token_signed_response_alg: 'ES256',
}, client.PrivateKeyJwt({ key, kid: spec.jwk.kid }),
{ initialAccessToken: spec.initial_access_token, execute: [client.allowInsecureRequests] });
const parameters = {
  redirect_uri: spec.redirect_uri, scope: 'openid profile', state: client.randomState(), nonce: client.randomNonce(),
  code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
};
const plain = client.buildAuthorizationUrl(config, parameters);
const signed = await client.buildAuthorizationUrlWithJAR(config, parameters, { key, kid: spec.jwk.kid });
console.log(JSON.stringify({ result: {
  kept: config.clientMetadata().require_signed_request_object ?? null, plain: plain.href, signed: signed.href,
} }));
process.exit(0);
