// An agency portal built on the certified `openid-client` (v6), driven line by line:
// argv[2] is the issuer, argv[3] a JSON array of clients. For each client it prints
// {"authorize": url} and reads the callback URL the citizen's browser reached from stdin,
// then runs token, userinfo, refresh, introspection and revocation and prints the results.
import * as client from 'openid-client';
import { createInterface } from 'node:readline';

const issuer = new URL(process.argv[2]);
const clients = JSON.parse(process.argv[3]);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function auth(spec) {
  if (spec.method === 'private_key_jwt') {
    const key = await crypto.subtle.importKey(
      'jwk', spec.jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    return client.PrivateKeyJwt({ key, kid: spec.jwk.kid });
  }
  return client.ClientSecretBasic(spec.secret);
}

for (const spec of clients) {
  const config = await client.discovery(
    issuer, spec.client_id, { id_token_signed_response_alg: 'ES256' }, await auth(spec),
    { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: spec.redirect_uri,
    scope: 'openid profile email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  console.log(JSON.stringify({ authorize: url.href }));
  const { value: callback } = await lines.next();
  const tokens = await client.authorizationCodeGrant(config, new URL(callback.trim()), {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
  });
  const claims = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  const introspected = await client.tokenIntrospection(config, refreshed.access_token);
  await client.tokenRevocation(config, refreshed.refresh_token);
  const afterRevocation = await client.tokenIntrospection(config, refreshed.access_token);
  let reuse = null;
  try {
    await client.refreshTokenGrant(config, tokens.refresh_token);
  } catch (error) {
    reuse = error.error ?? error.code ?? String(error);
  }
  console.log(JSON.stringify({
    result: {
      client_id: spec.client_id,
      sub: claims.sub,
      acr: claims.acr,
      amr: claims.amr,
      sid: claims.sid,
      userinfo,
      refreshed_sub: refreshed.claims()?.sub,
      rotated: refreshed.refresh_token !== tokens.refresh_token,
      introspected,
      after_revocation: afterRevocation,
      reuse,
    },
  }));
}
process.exit(0);
