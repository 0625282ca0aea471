// A FAPI 2.0 agency portal on the certified `openid-client` (v6): private_key_jwt, PAR, DPoP,
// once with JARM (response_mode=jwt), and once with a signed request object (JAR) naming two
// APIs (RFC 8707: `resource` twice, an array in the request object) inside the pushed request.
// argv[2] is the issuer, argv[3] the client (JSON, with `resources`: the two APIs).
// For each round it prints {"authorize": url}, reads the callback URL from stdin, then runs
// the code grant, UserInfo and a refresh with the DPoP key, and prints the results.
import * as client from 'openid-client';
import { createInterface } from 'node:readline';
import { withNonce } from './dpop_nonce.mjs';

const issuer = new URL(process.argv[2]);
const spec = JSON.parse(process.argv[3]);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

const signingKey = await crypto.subtle.importKey(
  'jwk', spec.jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);

for (const mode of ['query', 'jwt', 'jar']) {
  const config = await client.discovery(
    issuer, spec.client_id,
    { id_token_signed_response_alg: 'ES256', authorization_signed_response_alg: 'ES256' },
    client.PrivateKeyJwt({ key: signingKey, kid: spec.jwk.kid }),
    { execute: [client.allowInsecureRequests] });
  if (mode === 'jwt') client.useJwtResponseMode(config);
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const parameters = {
    redirect_uri: spec.redirect_uri,
    scope: 'openid profile national_id offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  if (mode === 'jwt') parameters.response_mode = 'jwt';
  let pushed = parameters;
  if (mode === 'jar') {
    const asked = new URLSearchParams(parameters);
    for (const resource of spec.resources) asked.append('resource', resource);
    const signed = await client.buildAuthorizationUrlWithJAR(config, asked, { key: signingKey, kid: spec.jwk.kid });
    pushed = signed.searchParams;
  }
  const url = await withNonce(() => client.buildAuthorizationUrlWithPAR(config, pushed, { DPoP }));
  console.log(JSON.stringify({ authorize: url.href }));
  const { value: callback } = await lines.next();
  const tokens = await withNonce(() => client.authorizationCodeGrant(config, new URL(callback.trim()), {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
  }, mode === 'jar' ? { resource: spec.resources[1] } : undefined, { DPoP }));
  const claims = tokens.claims();
  // A token for an API is not for UserInfo: the JAR round reads the audiences instead.
  const userinfo = mode === 'jar' ? null
    : await withNonce(() => client.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP }));
  const refreshed = await withNonce(() => client.refreshTokenGrant(
    config, tokens.refresh_token, mode === 'jar' ? { resource: spec.resources[0] } : undefined, { DPoP }));
  let withoutDpop = null;
  try {
    if (mode !== 'jar') await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
  } catch (error) {
    withoutDpop = error?.cause?.[0]?.parameters?.error ?? error?.error ?? error?.code ?? String(error);
  }
  console.log(JSON.stringify({
    result: {
      mode,
      sub: claims.sub,
      token_type: tokens.token_type,
      access_token: tokens.access_token,
      userinfo,
      refreshed_type: refreshed.token_type,
      refreshed_sub: refreshed.claims()?.sub,
      without_dpop: withoutDpop,
      refreshed_access_token: refreshed.access_token,
    },
  }));
}
process.exit(0);
