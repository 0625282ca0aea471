// A portal's back-channel logout receiver on `jose` (npm, the library openid-client is built
// on; openid-client itself has no logout-token helper): Back-Channel Logout 1.0 section 2.6.
// stdin: {"jwks": <the provider's /jwks.json>, "issuer": ..., "tokens": [{"token", "audience"}]};
// stdout: one result per token, the claims or the error jose raised.
import { createLocalJWKSet, jwtVerify } from 'jose';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { jwks, issuer, tokens } = JSON.parse(input);
const keys = createLocalJWKSet(jwks);
const results = [];
for (const { token, audience } of tokens) {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, keys, {
      issuer, audience, typ: 'logout+jwt', algorithms: ['ES256', 'RS256'],
      requiredClaims: ['iat', 'exp', 'jti', 'events'],
    });
    const ok = typeof payload.events?.[EVENT] === 'object' && !('nonce' in payload) && (payload.sid || payload.sub);
    results.push({ verified: Boolean(ok), alg: protectedHeader.alg, sid: payload.sid ?? null });
  } catch (error) {
    results.push({ error: error.code ?? String(error) });
  }
}
console.log(JSON.stringify(results));
