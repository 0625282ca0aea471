// The baseline for `python -m bench http-*`: node oidc-provider configured like Cédula's
// provider for one confidential agency client.
//
//   PORT=9100 BENCH_CLIENT_SECRET=... node bench/node/oidc_provider_server.mjs
//
// Equivalent to Cédula: authorization code flow (and client credentials, for the agency's own
// JWT access tokens to `urn:bench:api`, as Cédula's for its documents API), PKCE (S256) required, client_secret_basic,
// ES256 ID tokens, claims from a findAccount, no refresh tokens (no offline_access), state in
// memory (MapAdapter below: oidc-provider's own in-memory adapter is an LRU of 1,000 entries,
// which drops codes and grants under a benchmark's load). Access tokens: opaque by default (oidc-provider's UserInfo only
// accepts those); JWT (ES256, RFC 9068 `at+jwt`) when the authorization request names the
// resource `urn:bench:api` (resource indicators, RFC 8707). Interactions are completed at once
// for the one benchmark citizen (no login page, consent granted), by the /interaction route.
// Listens on 127.0.0.1 only.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 9100);
const secret = process.env.BENCH_CLIENT_SECRET;
if (!secret) throw new Error('set BENCH_CLIENT_SECRET');
const issuer = `http://localhost:${port}`;
const RESOURCE = 'urn:bench:api';
const REDIRECT = 'https://portal.example.gov/callback';
const ACCOUNT = 'citizen-1';

const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });

const profile = {
  given_name: 'Ana María', family_name: 'López Pérez', birthdate: '1990-05-17',
  email: 'ana@example.sv', email_verified: true,
};

// A Map per model, entries dropped when found expired (like Cédula's in-process store).
const stores = new Map();
class MapAdapter {
  constructor(model) {
    if (!stores.has(model)) stores.set(model, new Map());
    this.store = stores.get(model);
    this.grants = stores.get('grant-members') || new Map();
    stores.set('grant-members', this.grants);
  }

  async upsert(id, payload, expiresIn) {
    this.store.set(id, { payload, expires: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (payload.grantId) {
      const members = this.grants.get(payload.grantId) || [];
      members.push([this.store, id]);
      this.grants.set(payload.grantId, members);
    }
  }

  async find(id) {
    const entry = this.store.get(id);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.store.delete(id);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid) {
    for (const [id, entry] of this.store) if (entry.payload.uid === uid) return this.find(id);
    return undefined;
  }

  async findByUserCode() { return undefined; }

  async consume(id) {
    const entry = this.store.get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) { this.store.delete(id); }

  async revokeByGrantId(grantId) {
    for (const [store, id] of this.grants.get(grantId) || []) store.delete(id);
    this.grants.delete(grantId);
  }
}

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: [{
    client_id: 'bench',
    client_secret: secret,
    redirect_uris: [REDIRECT],
    response_types: ['code'],
    grant_types: ['authorization_code', 'client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [{ ...jwk, kid: 'bench-es256', alg: 'ES256', use: 'sig' }] },
  enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
  cookies: { keys: [secret] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', 'birthdate'],
    email: ['email', 'email_verified'],
  },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, ...profile }; } };
  },
  ttl: { AuthorizationCode: 600, AccessToken: 300, IdToken: 600, Interaction: 900, Session: 86400, Grant: 86400 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => oneOf,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: 'api:read',
        audience: RESOURCE,
        accessTokenTTL: 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});

// Sign the benchmark citizen in and grant what is asked, as a citizen answering at once would.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  if (prompt.name === 'login') {
    return provider.interactionFinished(req, res, { login: { accountId: ACCOUNT } },
      { mergeWithLastSubmission: false });
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } },
    { mergeWithLastSubmission: true });
}

// BENCH_GC_STATS=1 (the harness's CEDULA_BENCH_NODE_GC=1): V8's garbage collections so far,
// as the harness reads them around each timed window (GET /__bench/gc, never timed): how much
// of a window's CPU went to collecting, and whether a full (major) collection fell in it.
const gcStats = { count: 0, ms: 0, major_count: 0, major_ms: 0 };
if (process.env.BENCH_GC_STATS === '1') {
  const { PerformanceObserver, constants } = await import('node:perf_hooks');
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcStats.count += 1;
      gcStats.ms += entry.duration;
      if (entry.detail && entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gcStats.major_count += 1;
        gcStats.major_ms += entry.duration;
      }
    }
  }).observe({ entryTypes: ['gc'] });
}

const callback = provider.callback();
http.createServer((req, res) => {
  if (req.url === '/__bench/gc' && process.env.BENCH_GC_STATS === '1') {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(gcStats));
  } else if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  } else {
    callback(req, res);
  }
}).listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
