import fc from 'fast-check';
import request from 'supertest';
import type { WaveRow } from '../../server/fielding/data/waves';
import { databaseKinds } from '../helpers/databases';
import {
  Body,
  bodyFor,
  Fields,
  formBody,
  formPairs,
  Requester,
  requestTo,
  Route,
  runs,
  segment,
  send,
  Sent,
  snapshot,
  sendChecked,
  serverErrors,
} from '../helpers/fuzz';
import { people } from '../helpers/mail';
import { addTestUser, adminTestApp, AdminTestApp, hiddenField, PASSWORD } from '../helpers/signed-in';

/**
 * Random and malformed input to what anyone can reach: sign-in and sign-out, the opt-out links of the mails, the
 * public pages and the assets. Never a 5xx, and a refused request (4xx) changes nothing stored, except what a failed
 * sign-in is meant to record (the failure counters and an audit entry) and the miss an unknown link counts (the link
 * throttle covers the opt-out links too).
 */
const SIGN_IN: Fields = {
  email: fc.constantFrom(
    'beheer@example.org',
    ' BEHEER@example.org ',
    'analist@example.org',
    'niemand@example.org',
    'beheer@example.org\u0000',
  ),
  password: fc.constantFrom(PASSWORD, PASSWORD, 'wrong', `${PASSWORD} `),
};
const base64url43 = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const PARAMS: Record<string, fc.Arbitrary<string>> = {
  token: segment(fc.oneof(fc.constantFrom('@@live', '@@optedout'), base64url43)),
  file: segment(
    fc.constantFrom(
      'survey.core.min.js',
      'survey-core.fontless.min.css',
      'survey-core.min.css',
      'constructor',
      '__proto__',
      'toString',
    ),
  ),
  junk: segment(fc.constantFrom('s', 'u', 'admin', 'assets', 'respondent.js', 'assets/respondent.js', 'signin')),
};
const LANG = { lang: fc.constantFrom('en', 'nl', 'de') };
const ROUTES: Route[] = [
  { method: 'GET', path: '/u/:token', query: LANG },
  { method: 'POST', path: '/u/:token', query: LANG },
  { method: 'GET', path: '/', query: LANG },
  { method: 'GET', path: '/toegankelijkheid', query: LANG },
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/assets/vendor/:file' },
  { method: 'GET', path: '/assets/:junk' },
  { method: 'GET', path: '/signin' },
  { method: 'POST', path: '/:junk' },
  { method: 'GET', path: '/:junk' },
];

describe.each(databaseKinds())('fuzzing sign-in, sign-out, opt-out and the public pages on %s', (kind) => {
  let t: AdminTestApp;
  let wave: WaveRow;
  const pool = {} as { live: string; optedout: string };
  /** a 5xx, with the error lines logged since `from` (the run's own, not those of earlier runs of the property) */
  const fail = (status: number, req: Sent, from: number) =>
    new Error(`${status} for ${req.method} ${req.path}\n${serverErrors(t.logs, from)}`);

  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    await addTestUser(t.db, 'analist@example.org', 'analyst');
    wave = await t.wave();
    [pool.live, pool.optedout] = await t.invite(wave, people(2, 'u'));
    await request(t.app).post(`/u/${pool.optedout}`).expect(200);
  });
  afterAll(() => t.drop());

  test('counterexample: a NUL in the e-mail address of a sign-in was a 500 on PostgreSQL; now a failed sign-in', async () => {
    for (const email of ['%00', 'beheer%40example.org%00']) {
      const agent = request.agent(t.proxied);
      const token = hiddenField(
        (await agent.get('/signin').set('X-Forwarded-For', '198.51.100.9').expect(200)).text,
        '_csrf',
      );
      await agent
        .post('/signin')
        .set('X-Forwarded-For', '198.51.100.9')
        .type('form')
        .send(`_csrf=${token}&email=${email}&password=${encodeURIComponent(PASSWORD)}`)
        .expect(401);
    }
    expect(serverErrors(t.logs)).toBe('');
  });

  test('sign-in: random forms, form tokens, content types and addresses', async () => {
    const form = fc.constantFrom('form', 'form', 'no-cookie', 'wrong-token');
    // a failed sign-in is counted and audit-logged on purpose: those rows are left out when the answer is 401
    const failures = {
      tables: ['sign_in_failures'],
      rows: (table: string, row: Record<string, unknown>) => table === 'audit_log' && row.action === 'signin.failure',
    };
    const seen: Record<number, number> = {};
    const good = fc.constantFrom('beheer@example.org', 'analist@example.org').map((email): Body => ({
      type: 'application/x-www-form-urlencoded',
      bytes: formBody([
        ['email', email],
        ['password', PASSWORD],
      ]),
    }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 5, arbitrary: bodyFor(formPairs(SIGN_IN)) }, { weight: 1, arbitrary: good }),
        form,
        fc.constantFrom('198.51.100.1', '198.51.100.2'),
        base64url43,
        async (body, mode, address, fake) => {
          t.now.value = new Date(t.now.value.getTime() + 10_000); // the throttle's window slides: some get through, some are blocked
          const agent = request.agent(t.proxied);
          let token = fake;
          if (mode !== 'no-cookie')
            token =
              mode === 'form'
                ? hiddenField((await agent.get('/signin').set('X-Forwarded-For', address).expect(200)).text, '_csrf')
                : fake;
          if (typeof body.bytes === 'string' && body.type === 'application/x-www-form-urlencoded')
            body = { ...body, bytes: `_csrf=${token}&${body.bytes}` };
          const req: Sent = { method: 'POST', path: '/signin', body, headers: { 'X-Forwarded-For': address } };
          const [before, beforeButFailures] = [await snapshot(t.db), await snapshot(t.db, failures)];
          const logged = t.logs.length;
          const res = await send(agent as unknown as Requester, req);
          seen[res.status] = (seen[res.status] ?? 0) + 1;
          if (res.status >= 500) throw fail(res.status, req, logged);
          if (res.status === 303) return expect(mode).toBe('form');
          expect(res.status).toBeGreaterThanOrEqual(400);
          if (res.status === 401) expect(await snapshot(t.db, failures)).toBe(beforeButFailures);
          else expect(await snapshot(t.db)).toBe(before);
        },
      ),
      { numRuns: runs(150) },
    );
    // not vacuous: some got in, some were refused for the form, for the password and by the throttle
    expect(seen).toMatchObject({
      303: expect.any(Number),
      401: expect.any(Number),
      403: expect.any(Number),
      429: expect.any(Number),
    });
  });

  test('sign-out: without a session, with an ended one, without the CSRF token; refused and nothing changes', async () => {
    const who = fc.constantFrom('nobody', 'ended', 'no-csrf', 'valid');
    await fc.assert(
      fc.asyncProperty(bodyFor(formPairs({ _csrf: fc.constant('@@csrf') })), who, async (body, as) => {
        const browser =
          as === 'nobody' ? undefined : await t.signIn('analist@example.org', { address: '203.0.113.60' });
        if (as === 'ended') await browser!.post('/signout').expect(303);
        const csrf = as === 'valid' ? browser!.csrf : 'x';
        if (typeof body.bytes === 'string')
          body = { ...body, bytes: body.bytes.replace(/%40%40csrf/g, encodeURIComponent(csrf)) };
        const req: Sent = {
          method: 'POST',
          path: '/signout',
          body,
          headers: { 'X-Forwarded-For': '203.0.113.60', ...(as === 'valid' ? { 'X-CSRF-Token': csrf } : {}) },
        };
        const before = await snapshot(t.db);
        const logged = t.logs.length;
        const res = await send((browser?.agent ?? request(t.proxied)) as unknown as Requester, req);
        if (res.status >= 500) throw fail(res.status, req, logged);
        if (res.status < 400) return expect(as).toBe('valid');
        expect(await snapshot(t.db)).toBe(before);
      }),
      { numRuns: runs(100) },
    );
  });

  test('opt-out links, public pages, assets and unknown paths', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES).chain((route) => requestTo(route, PARAMS)),
        async (r) => {
          const req: Sent = { ...r, path: r.path.replace(/@@(live|optedout)/g, (_m, k: keyof typeof pool) => pool[k]) };
          await t.db('link_misses').delete(); // each run starts below the link throttle's limit
          const res = await sendChecked(t.db, t.logs, request(t.app) as unknown as Requester, req, {
            tables: ['link_misses'],
          });
          if (res.status < 400 && req.method === 'POST' && req.path.startsWith(`/u/${pool.live}`))
            [pool.live] = await t.invite(wave, people(1, `n${Date.now()}`)); // opted out
        },
      ),
      { numRuns: runs(500) },
    );
  });
});
