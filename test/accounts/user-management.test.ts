import request from 'supertest';
import { authenticateApiToken, createApiToken } from '../../server/accounts/api-tokens';
import { verifyPassword } from '../../server/accounts/passwords';
import { changeUser, UserChangeRefused } from '../../server/accounts/account-changes';
import { databaseKinds } from '../helpers/databases';
import { snapshot } from '../helpers/fuzz';
import { addTestUser, adminTestApp, AdminTestApp, Browser, PASSWORD } from '../helpers/signed-in';

const WRONG = 'The e-mail address or the password is not right.';

describe.each(databaseKinds())('account management by administrators on %s', (kind) => {
  let t: AdminTestApp;
  let admin: Browser;
  const id = async (email: string): Promise<string> => (await t.db('users').where({ email }).first()).id;
  const row = (email: string) => t.db('users').where({ email }).first();
  const sessionsOf = async (email: string) => t.db('sessions').where({ user_id: await id(email) });
  /** the sign-in answer without the parts that differ per request (the form's token) */
  const answer = (res: request.Response) => ({
    status: res.status,
    body: res.text.replace(/name="_csrf" value="[^"]*"/g, ''),
  });
  const audit = (action: string) => t.db('audit_log').where({ action }).orderBy('id');

  beforeAll(async () => {
    t = await adminTestApp(kind);
    await addTestUser(t.db, 'beheer@example.org', 'admin');
    await addTestUser(t.db, 'tweede@example.org', 'admin');
    await addTestUser(t.db, 'analist@example.org', 'analyst');
    await addTestUser(t.db, 'doel@example.org', 'analyst');
    admin = await t.signIn('beheer@example.org', { address: '203.0.113.40' });
    await admin.refreshCsrf('/admin/users');
  });
  afterAll(() => t.drop());
  beforeEach(async () => {
    t.now.value = new Date();
    await t.db('sign_in_failures').delete();
  });

  test('the users page offers disable, role and new-password forms, each with the CSRF token; none against oneself but the password', async () => {
    const page = await admin.get('/admin/users').expect(200);
    const doel = await id('doel@example.org');
    const me = await id('beheer@example.org');
    for (const action of ['disable', 'role', 'reset'])
      expect(page.text).toContain(`action="/admin/users/${doel}/${action}"`);
    expect(page.text).not.toContain(`/admin/users/${me}/disable`);
    expect(page.text).not.toContain(`/admin/users/${me}/role`);
    expect(page.text).toContain(`/admin/users/${me}/reset`);
    expect(page.text.match(/name="_csrf" value="([^"]+)"/g)?.every((f) => f.includes(admin.csrf))).toBe(true);
  });

  test('a disabled account is signed out at once, cannot sign in (the answer of a wrong password), and can again once enabled', async () => {
    const doel = await t.signIn('doel@example.org', { address: '203.0.113.41' });
    const token = await createApiToken(
      t.db,
      { userId: await id('doel@example.org'), email: 'doel@example.org' },
      'script',
      t.now.value,
    );
    await doel.get('/analyst').expect(200);
    expect(await sessionsOf('doel@example.org')).toHaveLength(1);

    const res = await admin.post(`/admin/users/${await id('doel@example.org')}/disable`).expect(303);
    expect(res.headers.location).toBe('/admin/users');
    expect((await row('doel@example.org')).disabled_at).toBe(t.now.value.toISOString());
    expect(await sessionsOf('doel@example.org')).toHaveLength(0);
    // the open session stops working at once: the page goes to the sign-in form, an API call gets 401
    expect((await doel.get('/analyst').expect(303)).headers.location).toBe('/signin');
    await doel.get('/analyst').set('Accept', 'application/json').expect(401);
    await doel.post('/analyst/tokens', { name: 'x' }).expect(401);
    expect(await authenticateApiToken(t.db, `Bearer ${token.token}`, t.now.value)).toBeUndefined();

    const right = await new Browser(t.proxied, '198.51.100.41').signIn('doel@example.org', PASSWORD);
    const wrong = await new Browser(t.proxied, '198.51.100.41').signIn('doel@example.org', 'raden');
    expect(right.status).toBe(401);
    expect(right.text).toContain(WRONG);
    expect(answer(right)).toEqual(answer(wrong));
    expect(right.headers['set-cookie']?.toString() ?? '').not.toContain('veldwerk_session');
    expect((await admin.get('/admin/users').expect(200)).text).toMatch(/doel@example\.org[\s\S]*?disabled since/);

    await admin.post(`/admin/users/${await id('doel@example.org')}/enable`).expect(303);
    expect((await row('doel@example.org')).disabled_at).toBeNull();
    const again = await t.signIn('doel@example.org', { address: '203.0.113.42' });
    await again.get('/analyst').expect(200);
    expect(await authenticateApiToken(t.db, `Bearer ${token.token}`, t.now.value)).toMatchObject({
      email: 'doel@example.org',
    });

    const entries = [...(await audit('user.disable')), ...(await audit('user.enable'))];
    expect(entries.map((e) => [e.actor, JSON.parse(e.detail).email, JSON.parse(e.detail).id])).toEqual([
      ['beheer@example.org', 'doel@example.org', await id('doel@example.org')],
      ['beheer@example.org', 'doel@example.org', await id('doel@example.org')],
    ]);
    expect(JSON.parse(entries[0].detail).sessionsEnded).toBe(1);
  });

  test("a new role counts from the account's next request, without signing in again", async () => {
    const doel = await t.signIn('doel@example.org', { address: '203.0.113.43' });
    await doel.get('/admin').expect(403);
    await admin.post(`/admin/users/${await id('doel@example.org')}/role`, { role: 'admin' }).expect(303);
    expect((await row('doel@example.org')).role).toBe('admin');
    await doel.get('/admin').expect(200);
    await admin.post(`/admin/users/${await id('doel@example.org')}/role`, { role: 'analyst' }).expect(303);
    await doel.get('/admin').expect(403);
    await doel.get('/analyst').expect(200);
    const entries = (await audit('user.role')).map((e) => JSON.parse(e.detail));
    expect(entries.slice(-2)).toEqual([
      { id: await id('doel@example.org'), email: 'doel@example.org', from: 'analyst', to: 'admin' },
      { id: await id('doel@example.org'), email: 'doel@example.org', from: 'admin', to: 'analyst' },
    ]);
  });

  test('a new password is shown once and stored as a scrypt hash; the old one stops working and the sessions end', async () => {
    const doel = await t.signIn('doel@example.org', { address: '203.0.113.44' });
    const open = (await sessionsOf('doel@example.org')).length;
    expect(open).toBeGreaterThan(0);
    const res = await admin.post(`/admin/users/${await id('doel@example.org')}/reset`).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const password = /<code class="vw-secret">([^<]+)<\/code>/.exec(res.text)?.[1] as string;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const stored = (await row('doel@example.org')).password_hash as string;
    expect(stored).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(stored).not.toContain(password);
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await sessionsOf('doel@example.org')).toHaveLength(0);
    await doel.get('/analyst').set('Accept', 'application/json').expect(401);
    expect((await new Browser(t.proxied, '198.51.100.44').signIn('doel@example.org', PASSWORD)).status).toBe(401);
    expect((await new Browser(t.proxied, '198.51.100.44').signIn('doel@example.org', password)).status).toBe(303);
    // no audit entry holds the password or a hash
    const log = JSON.stringify(await t.db('audit_log'));
    expect(log).not.toContain(password);
    expect(log).not.toContain('scrypt');
    expect(log).not.toContain(PASSWORD);
    expect((await audit('user.reset-password')).map((e) => JSON.parse(e.detail))).toEqual([
      { id: await id('doel@example.org'), email: 'doel@example.org', sessionsEnded: open },
    ]);
  });

  test("one's own account cannot be disabled or demoted: 409 with a clear message, nothing changes", async () => {
    const me = await id('beheer@example.org');
    const before = await snapshot(t.db);
    const disable = await admin.post(`/admin/users/${me}/disable`).expect(409);
    expect(disable.text).toContain('You cannot disable your own account');
    const demote = await admin
      .post(`/admin/users/${me}/role`, { role: 'analyst' })
      .set('Accept', 'application/json')
      .expect(409);
    expect(demote.body).toEqual({ error: 'You cannot take the administrator role from your own account' });
    expect(await snapshot(t.db)).toBe(before);
    await admin.get('/admin').expect(200);
  });

  test('the last enabled administrator is never disabled or demoted, not even by two requests at once', async () => {
    const [beheer, tweede] = [await id('beheer@example.org'), await id('tweede@example.org')];
    // the command line has no own account: only the last-administrator guard stops it
    await changeUser(t.db, { actor: 'cli:test' }, tweede, { kind: 'disable' }, t.now.value);
    await expect(
      changeUser(t.db, { actor: 'cli:test' }, beheer, { kind: 'role', role: 'analyst' }, t.now.value),
    ).rejects.toThrow(
      new UserChangeRefused(
        'conflict',
        'beheer@example.org is the last enabled administrator: make another account an administrator first',
      ),
    );
    await expect(changeUser(t.db, { actor: 'cli:test' }, beheer, { kind: 'disable' }, t.now.value)).rejects.toThrow(
      'is the last enabled administrator',
    );
    await changeUser(t.db, { actor: 'cli:test' }, tweede, { kind: 'enable' }, t.now.value);
    expect((await row('beheer@example.org')).role).toBe('admin');

    // two administrators removing each other at the same moment: one wins, the other is refused
    for (const kind of ['disable', 'role'] as const) {
      const change = kind === 'role' ? { kind, role: 'analyst' } : { kind };
      const results = await Promise.allSettled([
        changeUser(t.db, { actor: 'beheer@example.org', userId: beheer }, tweede, change, t.now.value),
        changeUser(t.db, { actor: 'tweede@example.org', userId: tweede }, beheer, change, t.now.value),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as Error).message).toMatch(
        /is the last enabled administrator/,
      );
      const enabledAdmins = await t.db('users').where({ role: 'admin' }).whereNull('disabled_at');
      expect(enabledAdmins).toHaveLength(1);
      // put it back
      for (const u of [beheer, tweede])
        await t.db('users').where({ id: u }).update({ role: 'admin', disabled_at: null });
    }
    // the same through the web, both signed in: never fewer than one enabled administrator
    const other = await t.signIn('tweede@example.org', { address: '203.0.113.45' });
    await other.refreshCsrf('/admin/users');
    const me = await t.signIn('beheer@example.org', { address: '203.0.113.46' });
    await me.refreshCsrf('/admin/users');
    const answers = await Promise.all([
      me.post(`/admin/users/${tweede}/disable`),
      other.post(`/admin/users/${beheer}/disable`),
    ]);
    expect(answers.filter((a) => a.status === 303)).toHaveLength(1);
    expect(answers.find((a) => a.status !== 303)?.status).toBeGreaterThanOrEqual(400);
    expect(await t.db('users').where({ role: 'admin' }).whereNull('disabled_at')).toHaveLength(1);
    for (const u of [beheer, tweede]) await t.db('users').where({ id: u }).update({ role: 'admin', disabled_at: null });
  });

  test('without the CSRF token, as an analyst, for unknown or malformed ids, or a role that does not exist: 4xx, nothing changes', async () => {
    admin = await t.signIn('beheer@example.org', { address: '203.0.113.40' });
    await admin.refreshCsrf('/admin/users');
    const analyst = await t.signIn('analist@example.org', { address: '203.0.113.47' });
    const doel = await id('doel@example.org');
    const before = await snapshot(t.db);
    for (const action of ['disable', 'enable', 'role', 'reset']) {
      const form: Record<string, string> = action === 'role' ? { role: 'admin' } : {};
      expect((await admin.post(`/admin/users/${doel}/${action}`, form, null).expect(403)).text).toContain(
        'This form has expired',
      );
      await admin.post(`/admin/users/${doel}/${action}`, form, 'x'.repeat(43)).expect(403);
      await analyst.post(`/admin/users/${doel}/${action}`, form).expect(403);
      await request(t.proxied).post(`/admin/users/${doel}/${action}`).type('form').send(form).expect(401);
      for (const bad of [
        '00000000-0000-0000-0000-000000000000',
        '1',
        '2147483648',
        '99999999999999999999',
        'a%00b',
        '%00',
        doel.toUpperCase(),
        `${doel}x`,
        'x'.repeat(400),
        '%E2%80%AE',
      ]) {
        const res = await admin.post(`/admin/users/${bad}/${action}`, form).set('Accept', 'application/json');
        expect([res.status, res.body]).toEqual([404, { error: 'There is no such user' }]);
      }
      expect((await admin.post(`/admin/users/%ZZ/${action}`, form)).status).toBe(400);
    }
    for (const role of ['root', '', 'Admin', 'admin\u0000']) {
      expect(
        (await admin.post(`/admin/users/${doel}/role`, { role }).set('Accept', 'application/json').expect(422)).body,
      ).toEqual({ error: 'The role must be one of: admin, analyst' });
    }
    expect(await snapshot(t.db)).toBe(before);
    expect(t.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  test('migration 005 down and up again keeps accounts, sessions and API tokens', async () => {
    const counts = async () =>
      Promise.all(
        ['users', 'sessions', 'api_tokens'].map(async (table) =>
          Number((await t.db(table).count({ n: '*' }).first())?.n),
        ),
      );
    const before = await counts();
    expect(before.every((n) => n > 0)).toBe(true);
    await t.db.migrate.down({ name: '005_user_status' }); // by name: later migrations exist
    expect(await t.db.schema.hasColumn('users', 'disabled_at')).toBe(false);
    expect(await counts()).toEqual(before);
    await t.db.migrate.latest();
    expect(await t.db.schema.hasColumn('users', 'disabled_at')).toBe(true);
    expect(await counts()).toEqual(before);
    await admin.get('/admin/users').expect(200);
  });
});
