import crypto from 'node:crypto';
import request from 'supertest';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../server/accounts/sessions';
import { SIGN_IN_LIMITS } from '../../server/accounts/sign-in';
import { hashPassword, verifyPassword } from '../../server/accounts/passwords';
import { databaseKinds } from '../helpers/databases';
import {
  addTestUser,
  adminTestApp,
  AdminTestApp,
  Browser,
  CHEAP_COST,
  hiddenField,
  PASSWORD,
  setCookie,
} from '../helpers/signed-in';

describe('password hashing', () => {
  test('scrypt with a random salt: the same password hashes differently, verifies, and a wrong one does not', async () => {
    const a = await hashPassword('geheim wachtwoord', CHEAP_COST);
    const b = await hashPassword('geheim wachtwoord', CHEAP_COST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('geheim wachtwoord', a)).toBe(true);
    expect(await verifyPassword('geheim wachtwoord ', a)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99$8$1$abc$def')).toBe(false);
  });
});

describe.each(databaseKinds())('sign-in, sessions and CSRF on %s', (kind) => {
  let t: AdminTestApp;
  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    await addTestUser(t.db, 'analist@example.org', 'analyst');
  });
  afterAll(() => t.drop());
  beforeEach(async () => {
    t.now.value = new Date();
    await t.db('sign_in_failures').delete();
  });

  test('signing in with the right password starts a session in an HttpOnly, SameSite=Lax cookie; only its hash is stored', async () => {
    const browser = new Browser(t.proxied);
    const res = await browser.signIn('Beheer@Example.org ', PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin');
    const cookie = setCookie(res, 'veldwerk_session') as string;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // http PUBLIC_URL
    const sessionId = /^veldwerk_session=([^;]+)/.exec(cookie)?.[1] as string;
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await t.db('sessions');
    expect(JSON.stringify(rows)).not.toContain(sessionId);
    expect(rows.map((r) => r.id_hash)).toContain(crypto.createHash('sha256').update(sessionId).digest('hex'));
    const page = await browser.get('/admin').expect(200);
    expect(page.text).toContain('beheer@example.org');
    expect(page.headers['cache-control']).toBe('no-store');
    const audit = await t.db('audit_log').where({ action: 'signin.success', actor: 'beheer@example.org' });
    expect(audit.length).toBeGreaterThan(0);
  });

  test('the session cookie is Secure (with the __Host- prefix) when PUBLIC_URL is https', async () => {
    const secure = await adminTestApp(kind, 'https://monitor.example.org');
    try {
      await addTestUser(secure.db, 'beheer@example.org', 'admin');
      // the test client speaks plain http, so it keeps Secure cookies to itself: send the form cookie by hand
      const form = await request(secure.proxied).get('/signin').expect(200);
      const formCookie = setCookie(form, '__Host-veldwerk_signin') as string;
      expect(formCookie).toMatch(/; Secure/);
      const res = await request(secure.proxied)
        .post('/signin')
        .set('Cookie', formCookie.split(';')[0])
        .type('form')
        .send({ _csrf: hiddenField(form.text, '_csrf'), email: 'beheer@example.org', password: PASSWORD })
        .expect(303);
      expect(setCookie(res, '__Host-veldwerk_session')).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Lax/);
    } finally {
      await secure.drop();
    }
  });

  test('a wrong password or an unknown account gets the same 401 page, and the failure is in the audit log', async () => {
    const wrong = await new Browser(t.proxied, '198.51.100.1').signIn('beheer@example.org', 'raden');
    const unknown = await new Browser(t.proxied, '198.51.100.1').signIn('niemand@example.org', 'raden');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('The e-mail address or the password is not right.');
    expect(setCookie(wrong, 'veldwerk_session')).toBeUndefined();
    const failures = await t.db('audit_log').where({ action: 'signin.failure' });
    expect(failures.map((f) => f.actor)).toEqual(expect.arrayContaining(['beheer@example.org', '(unknown account)']));
    expect(JSON.stringify(failures)).not.toContain('niemand@example.org'); // may be a password typed in the wrong field
  });

  test('a sign-in without the form token of the sign-in page is refused', async () => {
    const res = await request(t.proxied)
      .post('/signin')
      .type('form')
      .send({ email: 'beheer@example.org', password: PASSWORD });
    expect(res.status).toBe(403);
    expect(setCookie(res, 'veldwerk_session')).toBeUndefined();
  });

  test(`after ${SIGN_IN_LIMITS.perAccount} failures an account is throttled from every address, even with the right password`, async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
      expect((await new Browser(t.proxied, `192.0.2.${i + 1}`).signIn('analist@example.org', 'fout')).status).toBe(401);
    }
    const blocked = await new Browser(t.proxied, '192.0.2.200').signIn('analist@example.org', PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many failed sign-in attempts');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // another account from the same addresses is not affected
    expect((await new Browser(t.proxied, '192.0.2.1').signIn('beheer@example.org', PASSWORD)).status).toBe(303);
    // the window slides: 15 minutes later the account can sign in again
    t.now.value = new Date(t.now.value.getTime() + SIGN_IN_LIMITS.windowMs + 1000);
    expect((await new Browser(t.proxied, '192.0.2.200').signIn('analist@example.org', PASSWORD)).status).toBe(303);
  });

  test(`after ${SIGN_IN_LIMITS.perAddress} failures from one address, that address is throttled for every account, others are not`, async () => {
    const accounts = ['x1@example.org', 'x2@example.org', 'x3@example.org'];
    for (const a of accounts) await addTestUser(t.db, a, 'analyst');
    for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i++) {
      // spread over accounts so that no account reaches its own limit
      expect((await new Browser(t.proxied, '198.51.100.77').signIn(accounts[i % accounts.length], 'fout')).status).toBe(
        401,
      );
    }
    expect((await new Browser(t.proxied, '198.51.100.77').signIn('beheer@example.org', PASSWORD)).status).toBe(429);
    expect((await new Browser(t.proxied, '198.51.100.78').signIn('x1@example.org', PASSWORD)).status).toBe(303);
    // a success elsewhere never resets the address's count
    expect((await new Browser(t.proxied, '198.51.100.77').signIn('beheer@example.org', PASSWORD)).status).toBe(429);
    const stored = await t.db('sign_in_failures').select('throttle_key');
    expect(stored.map((r) => r.throttle_key)).toContain('address:198.51.100.77');
    expect(JSON.stringify(stored)).not.toContain('x1@example.org'); // accounts are counted by hash
  });

  test('a session ends after 30 minutes without activity', async () => {
    const browser = await t.signIn('beheer@example.org');
    t.now.value = new Date(t.now.value.getTime() + SESSION_IDLE_MS - 60_000);
    await browser.get('/admin').expect(200); // activity moves the idle limit
    t.now.value = new Date(t.now.value.getTime() + SESSION_IDLE_MS - 60_000);
    await browser.get('/admin').expect(200);
    t.now.value = new Date(t.now.value.getTime() + SESSION_IDLE_MS + 1000);
    const res = await browser.get('/admin').expect(303);
    expect(res.headers.location).toBe('/signin');
    await browser.get('/admin').set('Accept', 'application/json').expect(401);
  });

  test('background polling does not keep a session alive', async () => {
    const browser = await t.signIn('beheer@example.org');
    const start = t.now.value.getTime();
    for (let m = 10; m <= 30; m += 10) {
      t.now.value = new Date(start + m * 60_000 - 1000);
      await browser.get('/admin').set('Accept', 'application/json').set('X-Veldwerk-Poll', '1');
    }
    t.now.value = new Date(start + SESSION_IDLE_MS + 1000);
    await browser.get('/admin').expect(303);
  });

  test('a session ends 12 hours after sign-in however active it is', async () => {
    const browser = await t.signIn('beheer@example.org');
    const start = t.now.value.getTime();
    for (let at = 20 * 60_000; at < SESSION_ABSOLUTE_MS; at += 20 * 60_000) {
      t.now.value = new Date(start + at);
      await browser.get('/admin').expect(200);
    }
    t.now.value = new Date(start + SESSION_ABSOLUTE_MS + 1000);
    await browser.get('/admin').expect(303);
  });

  test("state-changing requests need the session's CSRF token: none or a wrong one gets 403 and changes nothing", async () => {
    const browser = await t.signIn('beheer@example.org');
    const before = await t.db('waves').count({ n: '*' }).first();
    const form = {
      name: 'Golf',
      questionnaire: 'demo@1',
      opens_on: '2030-01-01',
      closes_on: '2030-02-01',
      kept: 'tier',
    };
    await browser.post('/admin/waves', form, null).expect(403);
    await browser.post('/admin/waves', form, 'x'.repeat(43)).expect(403);
    const other = await t.signIn('beheer@example.org'); // another session's token does not fit this session
    await browser.post('/admin/waves', form, other.csrf).expect(403);
    await browser.agent
      .post('/admin/waves')
      .set('X-Forwarded-For', browser.address)
      .set('X-CSRF-Token', 'nope')
      .send(form)
      .expect(403);
    await browser.post('/signout', {}, null).expect(403);
    expect((await t.db('waves').count({ n: '*' }).first())?.n).toEqual(before?.n);
    await browser.post('/admin/waves', form).expect(303);
  });

  test('signing out ends the session on the server', async () => {
    const browser = await t.signIn('analist@example.org');
    const cookieCount = Number((await t.db('sessions').count({ n: '*' }).first())?.n);
    await browser.post('/signout').expect(303).expect('location', '/signin');
    await browser.get('/analyst').expect(303);
    expect(Number((await t.db('sessions').count({ n: '*' }).first())?.n)).toBe(cookieCount - 1);
    expect(await t.db('audit_log').where({ action: 'signout', actor: 'analist@example.org' })).toHaveLength(1);
  });

  test('the sign-in page is accessible: labelled inputs and a heading', async () => {
    const page = await request(t.app).get('/signin').expect(200);
    expect(page.text).toContain('<h1>Sign in</h1>');
    expect(page.text).toMatch(/<label for="email">/);
    expect(page.text).toMatch(/<label for="password">/);
    expect(page.text).toMatch(/id="password" name="password" type="password"/);
    expect(hiddenField(page.text, '_csrf')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
