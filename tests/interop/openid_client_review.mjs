// What an agency developer does with the certified `openid-client` (v6) beyond the basic code
// flow: argv[2] is the issuer, argv[3] the clients (JSON). Messages go out one JSON a line:
// {"authorize": url} (the test answers with the callback URL the browser reached),
// {"logout": url} (the test follows it and answers with where it ended), {"result": ...}.
import * as client from 'openid-client';
import { createInterface } from 'node:readline';
import { withNonce } from './dpop_nonce.mjs';

const issuer = new URL(process.argv[2]);
const spec = JSON.parse(process.argv[3]);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const insecure = { execute: [client.allowInsecureRequests] };
const say = (message) => console.log(JSON.stringify(message));
const answer = async () => (await lines.next()).value.trim();

// The refusal as the developer sees it.
async function refusal(call) {
  try {
    await call();
    return null;
  } catch (error) {
    return { error: error.error ?? error.code, error_description: error.error_description ?? error.cause?.error_description };
  }
}

async function authorizationParameters(redirect_uri, scope) {
  const verifier = client.randomPKCECodeVerifier();
  const checks = { pkceCodeVerifier: verifier, expectedState: client.randomState(),
                   expectedNonce: client.randomNonce(), idTokenExpected: true };
  const parameters = { redirect_uri, scope, state: checks.expectedState, nonce: checks.expectedNonce,
                       code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
  return { parameters, checks };
}

// 1. A signed request object (JAR, RFC 9101) of a private_key_jwt portal, sent by value.
{
  const key = await crypto.subtle.importKey('jwk', spec.jar.jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const config = await client.discovery(issuer, spec.jar.client_id, { id_token_signed_response_alg: 'ES256' },
                                        client.PrivateKeyJwt({ key, kid: spec.jar.jwk.kid }), insecure);
  const { parameters, checks } = await authorizationParameters(spec.jar.redirect_uri, 'openid profile');
  const url = await client.buildAuthorizationUrlWithJAR(config, parameters, { key, kid: spec.jar.jwk.kid });
  say({ authorize: url.href });
  const tokens = await client.authorizationCodeGrant(config, new URL(await answer()), checks);
  say({ result: { sub: tokens.claims().sub, request_in_url: url.searchParams.has('request') } });
}

// 2. A public client (token_endpoint_auth_method none): PAR, PKCE, DPoP-bound tokens, UserInfo,
//    a refresh with and without the key, revocation, then RP-initiated logout.
{
  const config = await client.discovery(issuer, spec.public.client_id, { id_token_signed_response_alg: 'ES256' },
                                        client.None(), insecure);
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  const { parameters, checks } = await authorizationParameters(spec.public.redirect_uri, 'openid profile offline_access');
  const url = await withNonce(() => client.buildAuthorizationUrlWithPAR(config, parameters, { DPoP }));
  say({ authorize: url.href });
  const callback = new URL(await answer());
  const tokens = await withNonce(() => client.authorizationCodeGrant(config, callback, checks, undefined, { DPoP }));
  const sub = tokens.claims().sub;
  const userinfo = await withNonce(() => client.fetchUserInfo(config, tokens.access_token, sub, { DPoP }));
  const stolen = await refusal(() => client.refreshTokenGrant(config, tokens.refresh_token));
  const refreshed = await withNonce(() => client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP }));
  await client.tokenRevocation(config, refreshed.refresh_token);
  const revoked = await refusal(() => withNonce(() => client.refreshTokenGrant(config, refreshed.refresh_token,
                                                                              undefined, { DPoP })));
  say({ logout: client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, state: 'hasta-luego',
                                                    post_logout_redirect_uri: spec.public.post_logout_redirect_uri }).href });
  const ended = await answer();
  say({ result: { sub, token_type: tokens.token_type, userinfo, stolen, rotated: refreshed.refresh_token !== tokens.refresh_token,
                  revoked, ended } });
}

// 3. client_secret_jwt (ClientSecretJwt), which Cédula does not offer, by a client_secret_basic portal.
{
  const config = await client.discovery(issuer, spec.secret.client_id, {}, client.ClientSecretJwt(spec.secret.secret), insecure);
  say({ result: { client_secret_jwt: await refusal(() => client.refreshTokenGrant(config, 'any')) } });
}
process.exit(0);
