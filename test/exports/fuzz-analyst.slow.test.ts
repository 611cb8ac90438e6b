import fc from 'fast-check';
import request from 'supertest';
import type { WaveRow } from '../../server/fielding/data/waves';
import { createApiToken, revokeOwnApiToken } from '../../server/accounts/api-tokens';
import { EXPORT_FORMATS } from '../../server/exports/export-service';
import { databaseKinds } from '../helpers/databases';
import {
  Fields,
  nasty,
  Requester,
  requestTo,
  Route,
  runs,
  segment,
  Sent,
  settled,
  sendChecked,
  serverErrors,
} from '../helpers/fuzz';
import { DEMO_VALID } from '../helpers/pages';
import { addTestUser, adminTestApp, AdminTestApp, Browser } from '../helpers/signed-in';
import { seedResponses, seedWave } from './fixtures';

/**
 * Random and malformed input to the analyst pages (signed in as an analyst with the CSRF token) and to the export API
 * (random, revoked and valid bearer tokens): never a 5xx, and a refused request (4xx) changes nothing stored.
 */
const EXPORT_QUERY: Fields = {
  lang: fc.constantFrom('en', 'nl', 'de'),
  weight: fc.constantFrom('tier', 'role', 'x', 'Tier', '__proto__'),
  format: fc.constantFrom(...EXPORT_FORMATS, 'pdf', 'CSV'),
};
const PARAMS: Record<string, fc.Arbitrary<string>> = {
  wave: segment(fc.constantFrom('@@export', '@@export', '@@small')),
  format: segment(fc.constantFrom(...EXPORT_FORMATS, 'pdf', '')),
  key: segment(fc.constantFrom('demo', 'miv-ambtenaren', 'Demo', 'demo@1')),
  token: segment(fc.constantFrom('@@own', '@@other', '@@revoked')),
  junk: segment(fc.constantFrom('waves', 'exports', 'x', '')),
};
const ANALYST_ROUTES: Route[] = [
  { method: 'GET', path: '/analyst' },
  { method: 'GET', path: '/analyst/exports' },
  { method: 'GET', path: '/analyst/exports/waves/:wave/download/:format', query: EXPORT_QUERY },
  { method: 'GET', path: '/analyst/exports/trend/:key/download/:format', query: EXPORT_QUERY },
  { method: 'GET', path: '/analyst/exports/waves/:wave/tables', query: EXPORT_QUERY },
  { method: 'GET', path: '/analyst/exports/waves/:wave/risk', query: EXPORT_QUERY },
  { method: 'GET', path: '/analyst/tokens' },
  {
    method: 'POST',
    path: '/analyst/tokens',
    fields: { name: fc.constantFrom('R-script', 'x'.repeat(101), ' ', 'a\u0007b') },
  },
  { method: 'POST', path: '/analyst/tokens/:token/revoke' },
  { method: 'POST', path: '/analyst/:junk' },
  { method: 'GET', path: '/analyst/:junk' },
];
const API_ROUTES: Route[] = [
  { method: 'GET', path: '/api/v1/waves' },
  { method: 'GET', path: '/api/v1/waves/:wave/export', query: EXPORT_QUERY },
  { method: 'GET', path: '/api/v1/trend/:key/export', query: EXPORT_QUERY },
  { method: 'GET', path: '/api/v1/:junk' },
  { method: 'POST', path: '/api/v1/waves' },
];
const malformed = (path: string) => {
  try {
    decodeURIComponent(path.split('?')[0]);
    return false;
  } catch {
    return true; // refused before any router, as a page or JSON by the Accept header
  }
};
const fromRoutes = (routes: Route[]) => fc.constantFrom(...routes).chain((route) => requestTo(route, PARAMS));

describe.each(databaseKinds())('fuzzing the analyst pages and the export API on %s', (kind) => {
  let t: AdminTestApp;
  let analyst: Browser;
  const A = '203.0.113.41';
  const pool = {} as Record<'export' | 'small' | 'own' | 'other' | 'revoked' | 'live' | 'liveAdmin' | 'dead', string>;
  const resolve = (s: string) =>
    s.replace(/@@(export|small|own|other|revoked)/g, (_m, k: keyof typeof pool) => pool[k]);
  let analystUser: { userId: string; email: string };

  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'analist@example.org', 'analyst');
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    analyst = await t.signIn('analist@example.org', { address: A });
    analystUser = {
      userId: (await t.db('users').where({ email: 'analist@example.org' }).first()).id,
      email: 'analist@example.org',
    };
    const adminUser = {
      userId: (await t.db('users').where({ email: 'beheer@example.org' }).first()).id,
      email: 'beheer@example.org',
    };
    const big: WaveRow = await seedWave(t.db, 'demo@1', ['tier'], 'Fuzz export');
    await seedResponses(
      t.db,
      big,
      Array.from({ length: 6 }, () => ({ answers: DEMO_VALID, attributes: { tier: 'gemeente' } })),
    );
    const small = await seedWave(t.db, 'demo@1', ['tier'], 'Fuzz klein');
    await seedResponses(t.db, small, [{ answers: DEMO_VALID }]);
    Object.assign(pool, { export: big.id, small: small.id });
    const own = await createApiToken(t.db, analystUser, 'eigen', t.now.value);
    const other = await createApiToken(t.db, adminUser, 'van beheer', t.now.value);
    const revoked = await createApiToken(t.db, analystUser, 'ingetrokken', t.now.value);
    await revokeOwnApiToken(t.db, analystUser, revoked.id, t.now.value);
    const api = await createApiToken(t.db, analystUser, 'api', t.now.value); // not in the pool of tokens to revoke
    Object.assign(pool, {
      own: own.id,
      other: other.id,
      revoked: revoked.id,
      live: api.token,
      liveAdmin: other.token,
      dead: revoked.token,
    });
  });
  afterAll(() => t.drop());

  /** A revoked own token is replaced so that revoking stays possible. */
  async function refreshPool(): Promise<void> {
    if ((await t.db('api_tokens').where({ id: pool.own }).first()).revoked_at)
      pool.own = (await createApiToken(t.db, analystUser, 'eigen', t.now.value)).id;
  }

  test('counterexample: revoking the token "%00" was a 500 on PostgreSQL (a NUL in a query); now 404', async () => {
    for (const id of ['%00', 'a%00b']) await analyst.post(`/analyst/tokens/${id}/revoke`).expect(404);
    expect(serverErrors(t.logs)).toBe('');
  });

  test('an analyst with the CSRF token: random downloads, formats, queries, token names and revocations', async () => {
    const seen = { ok: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fromRoutes(ANALYST_ROUTES),
        fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
        async (r, withCsrf) => {
          const req: Sent = {
            ...r,
            path: resolve(r.path),
            headers: { 'X-Forwarded-For': A, ...(withCsrf ? { 'X-CSRF-Token': analyst.csrf } : {}) },
          };
          const res = await sendChecked(t.db, t.logs, analyst.agent as unknown as Requester, req);
          if (res.status >= 400) {
            seen.refused++;
          } else {
            seen.ok++;
            if (req.method !== 'GET') expect(withCsrf).toBe(true);
            await settled(t.db); // a download writes its audit entry after the last byte
            await refreshPool();
          }
        },
      ),
      { numRuns: runs(400) },
    );
    expect(seen.ok).toBeGreaterThan(40);
    expect(seen.refused).toBeGreaterThan(40);
  });

  test('the export API: random bearer tokens, paths, formats and queries', async () => {
    const auth = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('Bearer @@live', 'bearer @@live', 'Bearer @@liveAdmin') },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          undefined,
          'Bearer @@dead',
          'Bearer  @@live',
          'Bearer @@live x',
          'Basic YTpi',
          'Bearer',
          'Bearer vw_',
        ),
      },
      fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((s) => `Bearer vw_${s}`),
      nasty.filter((s) => s.length < 200 && /^[\x20-\x7e]*$/.test(s)).map((s) => `Bearer ${s}`),
    );
    // the last use of a valid token is recorded even when what it asked for is refused (at most once a minute)
    const omit = { columns: ['api_tokens.last_used_at'] };
    const seen = { ok: 0 };
    await fc.assert(
      fc.asyncProperty(fromRoutes(API_ROUTES), auth, async (r, authorization) => {
        const headers: Record<string, string> =
          authorization === undefined
            ? {}
            : {
                Authorization: authorization.replace(/@@(liveAdmin|live|dead)/, (_m, k: keyof typeof pool) => pool[k]),
              };
        const req: Sent = { ...r, path: resolve(r.path), headers };
        const res = await sendChecked(t.db, t.logs, request(t.app) as unknown as Requester, req, omit);
        if (res.status >= 400) {
          if (!malformed(req.path)) expect(res.headers['content-type']).toMatch(/json/); // errors of the API are JSON
        } else {
          seen.ok++;
          expect(headers.Authorization).toMatch(/^bearer vw_/i);
          await settled(t.db, omit);
        }
      }),
      { numRuns: runs(400) },
    );
    expect(seen.ok).toBeGreaterThan(30);
  });
});
